package dev.compilerd.compile;

/**
 * One /compile request as the service needs it: the ?v= release ("" for the default), the program's source (one
 * file or txtar), whether to vet, and the request's exact bytes (everything that decides its answer), which key the
 * memo of repeats.
 */
public record Submission(String release, String source, boolean vet, byte[] exact) {}
