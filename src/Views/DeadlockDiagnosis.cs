namespace StacklessInteractive.Views;

/// <summary>
/// What a deadlock report means: tells tasklets that are <b>stuck</b> (nothing that can still act will ever serve
/// them) from tasklets that are only <b>waiting</b> (main, a runnable or a paused tasklet may still use their channel,
/// or a blocked tasklet that is itself only waiting). A worker blocked on its job channel after a
/// producer/consumer run, or a receiver waiting for main, is waiting; the talk's A-waits-for-B-waits-for-A is stuck.
/// </summary>
/// <remarks>
/// Rules, in order: a wait-for cycle (<see cref="WaitForGraph.FindCycle"/>) is stuck, whoever else holds its
/// channels; a blocked tasklet whose channel someone outside the blocked set may use (<c>holderOf</c>) is waiting;
/// so is one whose channel a waiting blocked tasklet may use (it may be served once that one is); every other blocked
/// tasklet is stuck. Computed in time linear in the blocked tasklets and the channels they use.
/// </remarks>
public sealed class DeadlockDiagnosis
{
    private DeadlockDiagnosis(DeadlockState state, IReadOnlyList<BlockedTasklet>? cycle, IReadOnlyList<BlockedTasklet> stuck,
        IReadOnlyList<BlockedTasklet> waiting, IReadOnlyList<BlockedTasklet> chain, string chainEnd, IReadOnlyDictionary<Tasklet, string> servedBy)
    {
        State = state;
        Cycle = cycle;
        Stuck = stuck;
        Waiting = waiting;
        Chain = chain;
        ChainEnd = chainEnd;
        _servedBy = servedBy;
    }

    private readonly IReadOnlyDictionary<Tasklet, string> _servedBy;

    /// <summary>Which of the four cases this is.</summary>
    public DeadlockState State { get; }

    /// <summary>A wait-for cycle among the blocked tasklets, or null.</summary>
    public IReadOnlyList<BlockedTasklet>? Cycle { get; }

    /// <summary>The blocked tasklets nothing will serve, in the report's order.</summary>
    public IReadOnlyList<BlockedTasklet> Stuck { get; }

    /// <summary>The blocked tasklets that may still be served, in the report's order.</summary>
    public IReadOnlyList<BlockedTasklet> Waiting { get; }

    /// <summary>
    /// The longest chain of blocked tasklets when there is no cycle: each waits on a channel that only the next one
    /// may serve; the last one's channel is served by <see cref="ChainEnd"/>. Empty when no tasklet depends on another.
    /// </summary>
    public IReadOnlyList<BlockedTasklet> Chain { get; }

    /// <summary>Who may serve the chain's last channel: "main", a tasklet's name, or "nobody".</summary>
    public string ChainEnd { get; }

    /// <summary>Who may serve <paramref name="tasklet"/>'s channel: "main", a tasklet's name, or "nobody"; null if it is not blocked.</summary>
    public string? ServedBy(Tasklet tasklet) => _servedBy.GetValueOrDefault(tasklet);

    /// <summary>
    /// Diagnoses <paramref name="report"/>. <paramref name="channelsOf"/> says which channels a tasklet may use;
    /// <paramref name="holderOf"/> who outside the blocked tasklets may use a channel ("main", a tasklet's name), or
    /// null for nobody. Without <paramref name="holderOf"/>, only the blocked tasklets are known to use channels.
    /// </summary>
    public static DeadlockDiagnosis Of(DeadlockReport report, Func<Tasklet, IEnumerable<ChannelBase>> channelsOf, Func<ChannelBase, string?>? holderOf = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(channelsOf);
        var blocked = report.Blocked;
        var n = blocked.Count;
        var cycle = n == 0 ? null : WaitForGraph.FindCycle(blocked, channelsOf);

        // uses[u]: the channels blocked tasklet u may use, besides the one it waits on; waitersOn[c]: who waits on c.
        var uses = new List<ChannelBase>[n];
        var waitersOn = new Dictionary<ChannelBase, List<int>>(ReferenceEqualityComparer.Instance);
        for (var u = 0; u < n; u++)
        {
            uses[u] = WaitForGraph.SafeChannels(channelsOf, blocked[u].Tasklet).Where(c => c != blocked[u].Channel).Distinct().ToList();
            if (!waitersOn.TryGetValue(blocked[u].Channel, out var list)) waitersOn[blocked[u].Channel] = list = [];
            list.Add(u);
        }
        var inCycle = new HashSet<Tasklet>(cycle?.Select(b => b.Tasklet) ?? [], ReferenceEqualityComparer.Instance);

        // Waiting spreads from the tasklets an outside holder can serve, to those that a waiting one can serve.
        var servedBy = new string?[n];
        var queue = new Queue<int>();
        for (var u = 0; u < n; u++)
        {
            if (inCycle.Contains(blocked[u].Tasklet) || SafeHolder(holderOf, blocked[u].Channel) is not { } holder) continue;
            servedBy[u] = holder;
            queue.Enqueue(u);
        }
        var waiting = new bool[n];
        foreach (var u in queue) waiting[u] = true;
        while (queue.Count > 0)
        {
            var v = queue.Dequeue();
            foreach (var c in uses[v])
            {
                if (!waitersOn.TryGetValue(c, out var waiters)) continue;
                foreach (var u in waiters)
                {
                    if (waiting[u] || inCycle.Contains(blocked[u].Tasklet)) continue;
                    waiting[u] = true;
                    servedBy[u] = blocked[v].Tasklet.Name;
                    queue.Enqueue(u);
                }
            }
        }

        // A stuck tasklet is served, if at all, only by other stuck ones: the first blocked user of its channel.
        var server = new Dictionary<ChannelBase, int>(ReferenceEqualityComparer.Instance);
        for (var v = 0; v < n; v++)
            foreach (var c in uses[v])
                server.TryAdd(c, v);
        var names = new Dictionary<Tasklet, string>(ReferenceEqualityComparer.Instance);
        for (var u = 0; u < n; u++)
            names[blocked[u].Tasklet] = servedBy[u] ?? (server.TryGetValue(blocked[u].Channel, out var v) && v != u ? blocked[v].Tasklet.Name : "nobody");

        var (chain, end) = cycle is null ? LongestChain(blocked, server, servedBy) : ([], "");
        var stuck = blocked.Where((_, u) => !waiting[u]).ToList();
        var state = n == 0 ? DeadlockState.NoneBlocked
            : report.Runnable > 0 || report.WaitingIO > 0 ? DeadlockState.Running
            : stuck.Count > 0 ? DeadlockState.Deadlocked
            : DeadlockState.Waiting;
        return new DeadlockDiagnosis(state, cycle, stuck, blocked.Where((_, u) => waiting[u]).ToList(), chain, end, names);
    }

    /// <summary>
    /// The longest path u -&gt; server(u) -&gt; ... among the blocked tasklets (there is no cycle, so it ends), where
    /// server(u) is the blocked tasklet that may use u's channel; with who serves its last channel.
    /// </summary>
    private static (IReadOnlyList<BlockedTasklet>, string) LongestChain(IReadOnlyList<BlockedTasklet> blocked, Dictionary<ChannelBase, int> server, string?[] servedBy)
    {
        var n = blocked.Count;
        int Next(int u) => server.TryGetValue(blocked[u].Channel, out var v) && v != u ? v : -1;
        var length = new int[n]; // 0: not computed yet
        var path = new Stack<int>();
        for (var start = 0; start < n; start++)
        {
            for (var u = start; u >= 0 && length[u] == 0; u = Next(u))
            {
                if (path.Contains(u)) break; // a cycle FindCycle missed cannot be, but never loop for ever
                path.Push(u);
            }
            while (path.Count > 0)
            {
                var u = path.Pop();
                var v = Next(u);
                length[u] = 1 + (v >= 0 && length[v] > 0 ? length[v] : 0);
            }
        }
        var best = 0;
        for (var u = 1; u < n; u++) if (length[u] > length[best]) best = u;
        if (n == 0 || length[best] < 2) return ([], "");
        var chain = new List<BlockedTasklet>();
        var last = best;
        for (var u = best; u >= 0 && chain.Count < length[best]; u = Next(u))
        {
            chain.Add(blocked[u]);
            last = u;
        }
        return (chain, servedBy[last] ?? "nobody");
    }

    private static string? SafeHolder(Func<ChannelBase, string?>? holderOf, ChannelBase channel)
    {
        if (holderOf is null) return null;
        try
        {
            return holderOf(channel);
        }
        catch (Exception)
        {
            return null;
        }
    }
}
