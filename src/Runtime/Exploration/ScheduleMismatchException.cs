namespace StacklessInteractive;

/// <summary>A replayed schedule does not fit the program: a choice names a move that does not exist.</summary>
public sealed class ScheduleMismatchException(string message) : InvalidOperationException(message);
