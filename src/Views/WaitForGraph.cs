namespace StacklessInteractive.Views;

/// <summary>
/// The wait-for graph of blocked tasklets: tasklet T, blocked on channel C, waits for every other blocked tasklet
/// that may use C (the channels each tasklet may use come from the caller). A cycle T1 -&gt; C1 -&gt; T2 -&gt; C2 -&gt;
/// T1 is a deadlock: each waits on a channel that only the next, itself stuck, could serve.
/// </summary>
/// <remarks>
/// A tasklet blocked on C is not counted as able to serve C: it waits there itself. The graph is built in time
/// linear in the blocked tasklets and the channels they use, and searched depth first in the report's order, so
/// the same state always gives the same cycle.
/// </remarks>
public static class WaitForGraph
{
    /// <summary>
    /// Finds a cycle among <paramref name="blocked"/>: the members in order, each waiting on a channel that the next
    /// one may use (the last's served by the first), starting with the oldest member. Null when there is none.
    /// </summary>
    /// <param name="blocked">The blocked tasklets and what each waits on (<see cref="DeadlockReport.Blocked"/>).</param>
    /// <param name="channelsOf">The channels a tasklet may use (send or receive on), e.g. <see cref="Tasklet.ReachableChannels"/>.</param>
    public static IReadOnlyList<BlockedTasklet>? FindCycle(IReadOnlyList<BlockedTasklet> blocked, Func<Tasklet, IEnumerable<ChannelBase>> channelsOf)
    {
        ArgumentNullException.ThrowIfNull(blocked);
        ArgumentNullException.ThrowIfNull(channelsOf);
        var n = blocked.Count;

        // Who may serve each channel: the blocked tasklets that use it and do not wait on it themselves.
        var servers = new Dictionary<ChannelBase, List<int>>(ReferenceEqualityComparer.Instance);
        for (var u = 0; u < n; u++)
        {
            foreach (var c in SafeChannels(channelsOf, blocked[u].Tasklet))
            {
                if (c == blocked[u].Channel) continue;
                if (!servers.TryGetValue(c, out var list)) servers[c] = list = [];
                if (list.Count == 0 || list[^1] != u) list.Add(u);
            }
        }
        IReadOnlyList<int> Next(int t) => servers.TryGetValue(blocked[t].Channel, out var list) ? list : [];

        // Iterative depth-first search: 0 unvisited, 1 on the current path, 2 done.
        var color = new byte[n];
        var path = new List<int>();
        var nextEdge = new List<int>();
        for (var root = 0; root < n; root++)
        {
            if (color[root] != 0) continue;
            color[root] = 1;
            path.Add(root);
            nextEdge.Add(0);
            while (path.Count > 0)
            {
                var top = path[^1];
                var edges = Next(top);
                var k = nextEdge[^1];
                if (k == edges.Count)
                {
                    color[top] = 2;
                    path.RemoveAt(path.Count - 1);
                    nextEdge.RemoveAt(nextEdge.Count - 1);
                    continue;
                }
                nextEdge[^1] = k + 1;
                var v = edges[k];
                if (color[v] == 1) return Rotate(path.Skip(path.IndexOf(v)).Select(i => blocked[i]).ToList(), blocked);
                if (color[v] == 0)
                {
                    color[v] = 1;
                    path.Add(v);
                    nextEdge.Add(0);
                }
            }
        }
        return null;
    }

    /// <summary>True when <paramref name="channelsOf"/> says anything beyond what the tasklets wait on, so that a missing cycle means something.</summary>
    public static bool KnowsChannels(IReadOnlyList<BlockedTasklet> blocked, Func<Tasklet, IEnumerable<ChannelBase>> channelsOf)
    {
        ArgumentNullException.ThrowIfNull(blocked);
        ArgumentNullException.ThrowIfNull(channelsOf);
        return blocked.Any(b => SafeChannels(channelsOf, b.Tasklet).Any(c => c != b.Channel));
    }

    /// <summary>The cycle as text: <c>t1 -&gt; ch1 -&gt; t2 -&gt; ch2 -&gt; t1</c>.</summary>
    public static string Format(IReadOnlyList<BlockedTasklet> cycle)
    {
        ArgumentNullException.ThrowIfNull(cycle);
        if (cycle.Count == 0) return "";
        return string.Join(" -> ", cycle.Select(b => b.Tasklet.Name + " -> " + b.Channel.Name)) + " -> " + cycle[0].Tasklet.Name;
    }

    private static IReadOnlyList<BlockedTasklet> Rotate(List<BlockedTasklet> cycle, IReadOnlyList<BlockedTasklet> order)
    {
        var start = 0;
        for (var i = 1; i < cycle.Count; i++)
            if (IndexIn(order, cycle[i]) < IndexIn(order, cycle[start])) start = i;
        return cycle.Skip(start).Concat(cycle.Take(start)).ToList();
    }

    private static int IndexIn(IReadOnlyList<BlockedTasklet> order, BlockedTasklet b)
    {
        for (var i = 0; i < order.Count; i++) if (ReferenceEquals(order[i], b)) return i;
        return int.MaxValue;
    }

    /// <summary>The caller's channels for a tasklet; a lookup that fails (it may use reflection) counts as knowing none.</summary>
    internal static IEnumerable<ChannelBase> SafeChannels(Func<Tasklet, IEnumerable<ChannelBase>> channelsOf, Tasklet t)
    {
        try
        {
            return channelsOf(t)?.Where(c => c is not null).ToList() ?? [];
        }
        catch (Exception)
        {
            return [];
        }
    }
}
