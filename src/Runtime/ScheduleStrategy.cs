namespace StacklessInteractive;

/// <summary>
/// Chooses at each choice point of a <see cref="Scheduler"/> (set <see cref="Scheduler.Strategy"/>): which runnable
/// tasklet runs next, and which ready case a <c>Select</c> takes. Index 0 is always what Stackless would do
/// (the front of the run queue, the first ready case), so a strategy that always answers 0 runs Stackless's schedule.
/// </summary>
/// <remarks>
/// A choice point is a moment with more than one legal next move; with one, nothing is asked. A strategy sees only
/// what it is asked and the hooks below, and must answer the same way for the same questions to make runs
/// replayable. Strategies: <see cref="RandomStrategy"/>, <see cref="PctStrategy"/>, <see cref="ReplayStrategy"/>,
/// and the exhaustive search of <see cref="Explorer"/>.
/// </remarks>
public abstract class ScheduleStrategy
{
    /// <summary>
    /// Which of <paramref name="runnable"/> (two or more, in run-queue order) runs the next step; a negative answer
    /// ends the run here (the scheduler returns as a watchdog would, leaving the tasklets as they are).
    /// </summary>
    public abstract int ChooseNext(ReadOnlySpan<Tasklet> runnable);

    /// <summary>Which of <paramref name="ready"/> (two or more) ready cases the select of <paramref name="tasklet"/> takes.</summary>
    public virtual int ChooseCase(Tasklet tasklet, int ready) => 0;

    /// <summary>Called before each step a strategy-driven loop runs (also when there was no choice); false ends the run before it.</summary>
    public virtual bool OnStepping(Tasklet tasklet) => true;

    /// <summary>Called after each step that returned normally; false ends the run here.</summary>
    public virtual bool OnStepped(Tasklet tasklet) => true;

    /// <summary>
    /// Called when the running step touches <paramref name="channel"/> outside a plain send or receive (close, open,
    /// a select, a waiter taken out), or, with null, does something ordered with every other step (switches to,
    /// kills, throws into, inserts, removes or spawns a tasklet). Sends and receives are seen through
    /// <see cref="Scheduler.ChannelCallback"/>.
    /// </summary>
    public virtual void OnTouched(ChannelBase? channel) { }
}
