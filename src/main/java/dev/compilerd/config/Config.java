package dev.compilerd.config;

/** The whole validated configuration of one compilerd process, grouped by concern; built once by {@link ConfigParser}. */
public record Config(
        HttpSettings http,
        SandboxSettings sandbox,
        SandboxLimits limits,
        AdmissionSettings admission,
        CacheSettings cache,
        LifecycleSettings lifecycle,
        ModuleSettings modules) {}
