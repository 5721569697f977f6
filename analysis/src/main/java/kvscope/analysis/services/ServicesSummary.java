package kvscope.analysis.services;

/**
 * What an integration analysis found, in four numbers (the details are in {@link ServicesFile}).
 *
 * @param spans    spans of every kind
 * @param requests HTTP requests that entered the traced services (entry server spans)
 * @param services distinct services
 * @param problems occurrences of input that could not be used or joined
 */
public record ServicesSummary(long spans, long requests, int services, long problems) {}
