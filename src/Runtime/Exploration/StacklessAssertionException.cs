namespace StacklessInteractive;

/// <summary>Raised by <see cref="Stackless.Assert"/> when its condition is false: a bug the explorer reports as a failed assertion.</summary>
public sealed class StacklessAssertionException(string message) : Exception(message);
