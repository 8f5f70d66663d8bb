package dev.compilerd.config;

import java.time.Duration;

/** How many runs at once, how many waiting, and the longest a request may wait for a worker. */
public record AdmissionSettings(int workers, int queue, Duration maxQueueWait) {}
