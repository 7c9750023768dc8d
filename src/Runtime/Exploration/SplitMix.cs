namespace StacklessInteractive;

/// <summary>
/// SplitMix64: a tiny, fast generator whose sequence for a seed is fixed by its definition (not by a .NET version),
/// so that a schedule printed as <c>seed=42</c> replays the same anywhere.
/// </summary>
internal struct SplitMix
{
    private ulong _state;

    public SplitMix(ulong seed) => _state = seed;

    public ulong NextULong()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A number in [0, <paramref name="bound"/>); bound &gt; 0. Lemire's multiply-shift (the tiny bias is irrelevant here).</summary>
    public int Next(int bound) => (int)(((NextULong() >> 32) * (ulong)(uint)bound) >> 32);

    /// <summary>The seed of the <paramref name="index"/>-th run of an exploration started with <paramref name="seed"/>.</summary>
    public static ulong Derive(ulong seed, long index) => new SplitMix(seed ^ (0xD1B54A32D192ED03UL * (ulong)(index + 1))).NextULong();
}
