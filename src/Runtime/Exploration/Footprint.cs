namespace StacklessInteractive;

/// <summary>
/// What one step touched, for the partial-order reduction: the channels (by id), or "everything" (Global) when it
/// touched something the reduction cannot see.
/// </summary>
internal sealed class Footprint
{
    public static readonly Footprint Everything = new() { Global = true };

    public bool Global;
    public readonly List<int> Channels = [];

    /// <summary>Two steps commute when neither is global and they share no channel.</summary>
    public bool IndependentOf(Footprint other)
    {
        if (Global || other.Global) return false;
        foreach (var c in Channels) if (other.Channels.Contains(c)) return false;
        return true;
    }

    public void Add(int channel)
    {
        if (!Channels.Contains(channel)) Channels.Add(channel);
    }
}
