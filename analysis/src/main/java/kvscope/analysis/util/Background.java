package kvscope.analysis.util;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A piece of I/O run on a thread of its own while the caller does something else; {@link #join} waits for it and
 * throws what it threw. Why: waiting for the disk (fsync) leaves a core idle that the caller's own work can use.
 */
public final class Background {
    /** The work: may throw IOException. */
    @FunctionalInterface
    public interface Task { void run() throws IOException; }

    private final Thread thread;
    private volatile Throwable failure;

    private Background(String name, Task task) {
        thread = new Thread(() -> {
            try {
                task.run();
            } catch (Throwable t) {
                failure = t;
            }
        }, name);
        thread.setDaemon(true);
    }

    /** Starts the task on a new thread. */
    public static Background start(String name, Task task) {
        var b = new Background(name, task);
        b.thread.start();
        return b;
    }

    /** Waits until the task is done; throws its exception, if any, as its own (an IOException as such). */
    public void join() throws IOException {
        await();
        var f = failure;
        if (f instanceof IOException e) throw e;
        if (f instanceof UncheckedIOException e) throw e.getCause();
        if (f instanceof RuntimeException e) throw e;
        if (f instanceof Error e) throw e;
    }

    /** Waits until the task is done, whatever it threw, even if interrupted (it may hold files the caller closes). */
    public void await() {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    /** Interrupts the task (a sleep or a wait in it ends). */
    public void interrupt() { thread.interrupt(); }

    /** {@link #join} after the caller's own work failed: the task's exception, if any, is added to that failure. */
    public void joinAfter(Throwable callerFailure) {
        try {
            join();
        } catch (IOException | RuntimeException | Error e) {
            if (e != callerFailure) callerFailure.addSuppressed(e);
        }
    }
}
