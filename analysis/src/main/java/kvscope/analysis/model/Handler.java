package kvscope.analysis.model;

/** Reacts to one kind of event by changing the model. */
@FunctionalInterface
interface Handler {
    void on(Ctx c);
}
