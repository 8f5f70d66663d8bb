package dev.compilerd.config;

import java.time.Duration;

/** Where the server listens and what it accepts from clients. */
public record HttpSettings(String bind, int port, int maxRequestBytes, Duration bodyTimeout, String allowOrigin) {}
