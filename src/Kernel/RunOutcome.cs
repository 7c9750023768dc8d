namespace StacklessInteractive.Kernel;

/// <summary>
/// What one <c>#!run</c> or <c>#!step</c> did: the tasklets' output, the trace of its steps, how many, the exception
/// that ended it, and why it stopped early (<paramref name="Stopped"/>: the time budget, an interrupt, or a step that
/// never switched), with the tasklet a tick check preempted (<paramref name="Stop"/>) when one was and the text of
/// the body's line where it was (<paramref name="StopSource"/>).
/// </summary>
internal sealed record RunOutcome(string Output, IReadOnlyList<TraceEvent> Events, long Steps, Exception? Error,
    StopReason? Stopped = null, Stop? Stop = null, TimeSpan? Timeout = null, string? StopSource = null)
{
    /// <summary>True when the cell was interrupted.</summary>
    public bool Interrupted => Stopped == StopReason.Interrupt;

    /// <summary>Why the run stopped early and how to go on, in a sentence or two; null when it did not.</summary>
    public string? StopMessage
    {
        get
        {
            if (Stopped is not { } reason) return null;
            var why = reason switch
            {
                StopReason.Interrupt => "Stopped: the cell was interrupted",
                StopReason.Timeout => $"Stopped: the time budget of {Timeout?.TotalSeconds:0.###} s ran out (#!run --timeout SECONDS changes it, --timeout 0 for none)",
                _ => $"Stopped: a step ran about {Ticks.Quantum * Ticks.QuantaPerStep:N0} tick checks without switching",
            };
            if (Stop is not { } stop) return why + " between two steps; #!run continues the program.";
            var where = stop.Line <= 0 ? "" : StopSource is { Length: > 0 } source ? $" at line {stop.Line} of its body ({source})" : $" at line {stop.Line} of its body";
            return $"{why} while tasklet {stop.Tasklet.Name} was running{where}. It is paused where it was; #!run continues it.";
        }
    }
}
