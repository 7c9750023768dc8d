namespace StacklessInteractive;

/// <summary>Which case of a <see cref="Select"/> was taken, and the value it received (null for a send, the default or a timeout).</summary>
/// <param name="Index">The case's position in the list given to <see cref="Select.From"/>.</param>
/// <param name="Value">The received value, boxed.</param>
public readonly record struct SelectResult(int Index, object? Value)
{
    /// <summary>The received value as <typeparamref name="T"/>.</summary>
    public T ValueAs<T>() => (T)Value!;
}
