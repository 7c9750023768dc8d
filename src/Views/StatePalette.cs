namespace StacklessInteractive.Views;

/// <summary>
/// The one palette of state colours, shared by the SVG timeline, the HTML badges and the Plotly charts. The
/// colours are mid-tones that read on light and dark backgrounds alike.
/// </summary>
public static class StatePalette
{
    /// <summary>Every state in legend order.</summary>
    public static IReadOnlyList<LaneState> States { get; } = Enum.GetValues<LaneState>();

    /// <summary>The state's colour as <c>#rrggbb</c>.</summary>
    public static string Color(LaneState state) => state switch
    {
        LaneState.Running => "#2ca02c",
        LaneState.Runnable => "#4c8fd6",
        LaneState.BlockedSend => "#ff7f0e",
        LaneState.BlockedReceive => "#b05fd8",
        LaneState.WaitingIO => "#17becf",
        LaneState.Paused => "#a0a0a0",
        LaneState.Dead => "#6b6b6b",
        _ => "#808080",
    };

    /// <summary>How opaque the state's fill is: strong for activity, faint for the states that only wait or are over.</summary>
    public static double Opacity(LaneState state) => state switch
    {
        LaneState.Running => 0.9,
        LaneState.BlockedSend or LaneState.BlockedReceive or LaneState.WaitingIO => 0.75,
        LaneState.Runnable => 0.45,
        LaneState.Paused => 0.4,
        LaneState.Dead => 0.18,
        _ => 0.0,
    };

    /// <summary>Words for the legend: "running", "blocked (send)", ...</summary>
    public static string Label(LaneState state) => state switch
    {
        LaneState.Running => "running",
        LaneState.Runnable => "runnable",
        LaneState.BlockedSend => "blocked (send)",
        LaneState.BlockedReceive => "blocked (receive)",
        LaneState.WaitingIO => "waiting on I/O",
        LaneState.Paused => "paused",
        LaneState.Dead => "dead",
        _ => "not yet created",
    };

    /// <summary>A short machine name, used in CSS classes and data attributes: "running", "blocked-send", ...</summary>
    public static string Key(LaneState state) => state switch
    {
        LaneState.Running => "running",
        LaneState.Runnable => "runnable",
        LaneState.BlockedSend => "blocked-send",
        LaneState.BlockedReceive => "blocked-receive",
        LaneState.WaitingIO => "waiting-io",
        LaneState.Paused => "paused",
        LaneState.Dead => "dead",
        _ => "not-created",
    };

    /// <summary>The colour of a tasklet's present state (current counts as running, a blocked one by its direction).</summary>
    public static LaneState StateOf(Tasklet tasklet)
    {
        ArgumentNullException.ThrowIfNull(tasklet);
        return tasklet.State switch
        {
            TaskletState.Current => LaneState.Running,
            TaskletState.Runnable => LaneState.Runnable,
            TaskletState.Blocked => tasklet.BlockedDirection > 0 ? LaneState.BlockedSend : LaneState.BlockedReceive,
            TaskletState.WaitingIO => LaneState.WaitingIO,
            TaskletState.Paused => LaneState.Paused,
            TaskletState.Dead => LaneState.Dead,
            _ => LaneState.NotCreated,
        };
    }

    /// <summary>The colour as a CSS <c>rgba(...)</c> with the given alpha.</summary>
    internal static string Rgba(LaneState state, double alpha)
    {
        var hex = Color(state);
        var r = Convert.ToInt32(hex.Substring(1, 2), 16);
        var g = Convert.ToInt32(hex.Substring(3, 2), 16);
        var b = Convert.ToInt32(hex.Substring(5, 2), 16);
        return FormattableString.Invariant($"rgba({r},{g},{b},{alpha:0.##})");
    }
}
