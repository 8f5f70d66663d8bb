package dev.compilerd.lifecycle;

/**
 * Whether this server may begin to retire now: a turn shared by the fleet, so that servers whose lifetimes end close
 * together do not all leave the load balancer at once (each is out for its lameduck, its drain and its
 * replacement's boot).
 */
@FunctionalInterface
public interface RetirementTurns {
    /** Takes a turn if the fleet has one free (it ends by itself); true also when the fleet cannot be asked. */
    boolean take();

    /** No fleet to ask (no shared tier): every server retires when its lifetime ends. */
    RetirementTurns ALWAYS = () -> true;
}
