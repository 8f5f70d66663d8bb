package dev.compilerd.http;

/** What a client asked for, whichever of the three input forms it used. */
public record CompileRequest(String body, boolean withVet) {}
