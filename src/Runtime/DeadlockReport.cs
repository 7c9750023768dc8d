namespace StacklessInteractive;

/// <summary>A tasklet blocked on a channel, and in which direction.</summary>
/// <param name="Tasklet">The blocked tasklet.</param>
/// <param name="Channel">The channel it waits on.</param>
/// <param name="Direction">+1 waiting to send, -1 waiting to receive.</param>
public sealed record BlockedTasklet(Tasklet Tasklet, ChannelBase Channel, int Direction)
{
    /// <summary>"send" or "receive".</summary>
    public string Action => Direction > 0 ? "send" : "receive";

    /// <inheritdoc/>
    public override string ToString() => $"{Tasklet.Name} waits to {Action} on {Channel.Name} (balance {Channel.Balance})";
}

/// <summary>
/// Every blocked tasklet and what it waits on. Deadlock is often silent in Stackless (<c>run()</c> just returns);
/// this makes it visible.
/// </summary>
/// <param name="Blocked">The blocked tasklets, oldest first.</param>
/// <param name="Runnable">How many tasklets (main not counted) could still run.</param>
/// <param name="WaitingIO">How many tasklets wait on asynchronous operations, whose completion may wake the others.</param>
public sealed record DeadlockReport(IReadOnlyList<BlockedTasklet> Blocked, int Runnable, int WaitingIO = 0)
{
    /// <summary>True when tasklets are blocked on channels and nothing can run or complete to wake them.</summary>
    public bool IsDeadlock => Blocked.Count > 0 && Runnable == 0 && WaitingIO == 0;

    /// <summary>An English account naming each blocked tasklet, its channel and direction.</summary>
    public override string ToString()
    {
        if (Blocked.Count == 0) return "No tasklet is blocked.";
        var what = string.Join("; ", Blocked);
        return IsDeadlock
            ? $"Deadlock: {Blocked.Count} tasklet(s) blocked and none can run: {what}."
            : $"{Blocked.Count} tasklet(s) blocked, {Runnable} runnable, {WaitingIO} waiting on I/O: {what}.";
    }
}
