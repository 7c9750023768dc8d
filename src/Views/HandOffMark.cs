namespace StacklessInteractive.Views;

/// <summary>A value passed through a channel from one tasklet to another during a step.</summary>
/// <param name="Step">The step during which it passed.</param>
/// <param name="From">The sender.</param>
/// <param name="To">The receiver.</param>
/// <param name="Channel">The channel, when the trace names it.</param>
/// <param name="Value">The value, or the exception sent in its place.</param>
public sealed record HandOffMark(long Step, Tasklet From, Tasklet To, ChannelBase? Channel, object? Value);
