using System.Runtime.CompilerServices;
using Microsoft.DotNet.Interactive;

namespace StacklessInteractive.Kernel;

/// <summary>
/// What the extension keeps for one notebook: the scheduler the cells share (<see cref="Scheduler.Default"/>, the
/// one behind <see cref="Stackless"/> and every channel made without a scheduler), its trace, and what the
/// kernel learnt from <c>#!tasklet</c> cells (which channels a body names). Code compiled from a <c>#!tasklet</c>
/// cell calls <see cref="SpawnFromCell"/> through <see cref="Current"/>.
/// </summary>
public sealed class NotebookSession
{
    /// <summary>How many trace events a notebook keeps (older ones are dropped and the timeline says so).</summary>
    public const int TraceCapacity = 200_000;

    private static NotebookSession? s_current;
    private ConditionalWeakTable<Tasklet, IReadOnlyList<ChannelBase>> _namedChannels = new();
    private int _chartCount;
    private Tasklet? _spawnedFromCell;

    private NotebookSession(CompositeKernel root)
    {
        Root = root;
        Scheduler = Scheduler.Default;
        Observe(Scheduler);
        PlotlyJsUrl = Environment.GetEnvironmentVariable("STACKLESS_PLOTLY_JS") is { Length: > 0 } url ? url : Views.ChartHtml.CdnUrl;
    }

    /// <summary>The session of the loaded extension.</summary>
    /// <exception cref="InvalidOperationException">The extension is not loaded.</exception>
    public static NotebookSession Current => s_current
        ?? throw new InvalidOperationException("The StacklessInteractive extension is not loaded in this notebook.");

    /// <summary>The session of <paramref name="root"/>: a new one, or the one already there when the extension is loaded again.</summary>
    internal static NotebookSession Start(CompositeKernel root, out bool fresh)
    {
        fresh = s_current?.Root != root;
        return fresh ? s_current = new NotebookSession(root) : s_current!;
    }

    /// <summary>The notebook's kernel.</summary>
    internal CompositeKernel Root { get; }

    /// <summary>The scheduler the notebook drives: <see cref="Scheduler.Default"/> (a new one after <c>#!stackless-reset</c>).</summary>
    public Scheduler Scheduler { get; private set; }

    /// <summary>The trace of every switch since the extension was loaded or reset.</summary>
    public TraceRecorder Trace => Scheduler.Trace!;

    /// <summary>Where chart outputs load plotly.js from: the CDN, or (offline) a URL such as <c>plotly.min.js</c> beside an exported page; set by the environment variable <c>STACKLESS_PLOTLY_JS</c>.</summary>
    public string PlotlyJsUrl { get; set; }

    /// <summary>Spawns the body of a <c>#!tasklet</c> cell on the notebook's scheduler. It is scheduled, not run.</summary>
    public Tasklet SpawnFromCell(string? name, Func<TaskletBody> body)
    {
        if (!ReferenceEquals(Scheduler, Scheduler.Default)) Reset(); // someone reset the default behind our back
        return _spawnedFromCell = Scheduler.Spawn(body, name);
    }

    /// <summary>The tasklet the last <c>#!tasklet</c> cell spawned, once.</summary>
    internal Tasklet? TakeSpawnedFromCell() => Interlocked.Exchange(ref _spawnedFromCell, null);

    /// <summary>Records that <paramref name="tasklet"/>'s body names <paramref name="channels"/> (for the deadlock cycle).</summary>
    internal void NoteChannels(Tasklet tasklet, IReadOnlyList<ChannelBase> channels) => _namedChannels.AddOrUpdate(tasklet, channels);

    /// <summary>
    /// The channels a tasklet may use: those its body names in its cell, those its closure and arguments reach, and
    /// those the trace shows it sending or receiving on (a filter's channel made inside a loop is in no variable).
    /// </summary>
    public IEnumerable<ChannelBase> ChannelsOf(Tasklet tasklet)
    {
        var reachable = tasklet.ReachableChannels().AsEnumerable();
        if (_namedChannels.TryGetValue(tasklet, out var named)) reachable = named.Union(reachable);
        if (UsedInTrace().TryGetValue(tasklet, out var used)) reachable = reachable.Union(used);
        return reachable.Distinct().OrderBy(c => c.Id);
    }

    private (long Total, Dictionary<Tasklet, HashSet<ChannelBase>> Used)? _usedInTrace;

    /// <summary>Which channels each tasklet sent or received on in the trace; made once per trace length.</summary>
    private Dictionary<Tasklet, HashSet<ChannelBase>> UsedInTrace()
    {
        var total = Trace.Total;
        if (_usedInTrace is { } cached && cached.Total == total) return cached.Used;
        var used = new Dictionary<Tasklet, HashSet<ChannelBase>>(ReferenceEqualityComparer.Instance);
        foreach (var e in Trace.Events)
        {
            if (e.Channel is not { } channel) continue;
            Add(e.Tasklet, channel);
            if (e.Partner is { } partner) Add(partner, channel); // a hand-off's receiver
        }
        void Add(Tasklet t, ChannelBase channel)
        {
            if (!used.TryGetValue(t, out var set)) used[t] = set = new HashSet<ChannelBase>(ReferenceEqualityComparer.Instance);
            set.Add(channel);
        }
        _usedInTrace = (total, used);
        return used;
    }

    /// <summary>
    /// Who, besides the blocked tasklets, may use a channel: "main" when a notebook variable holds it (a cell can
    /// send or receive on it), else the first alive tasklet that is not blocked and may use it. What tells a
    /// waiting tasklet from a stuck one in the deadlock panel.
    /// </summary>
    public Func<ChannelBase, string?> HolderOf()
    {
        var holders = new Dictionary<ChannelBase, string>(ReferenceEqualityComparer.Instance);
        var variables = (Root.FindKernelByName("csharp") as Microsoft.DotNet.Interactive.CSharp.CSharpKernel)?.ScriptState?.Variables ?? [];
        foreach (var variable in variables)
        {
            switch (variable.Value)
            {
                case ChannelBase c: holders.TryAdd(c, "main"); break;
                case System.Collections.IEnumerable items and not string:
                    if (variable.Type.IsArray ? typeof(ChannelBase).IsAssignableFrom(variable.Type.GetElementType())
                        : variable.Type.IsGenericType && variable.Type.GetGenericArguments() is [var e] && typeof(ChannelBase).IsAssignableFrom(e))
                        foreach (var item in items) if (item is ChannelBase c) holders.TryAdd(c, "main");
                    break;
            }
        }
        foreach (var t in Scheduler.Tasklets)
            if (!t.IsMain && t.BlockedOn is null)
                foreach (var c in ChannelsOf(t)) holders.TryAdd(c, t.Name);
        return c => holders.GetValueOrDefault(c);
    }

    /// <summary>Where a tasklet blocked: "line 3 of its #!tasklet cell", or null when its body comes from no #!tasklet cell.</summary>
    public static string? BlockedAt(Tasklet tasklet) =>
        BlockSites.LineOf(tasklet) is { } line ? $"line {line} of its #!tasklet cell" : null;

    /// <summary>Starts again: a fresh default scheduler (ids from 0), an empty trace.</summary>
    public void Reset()
    {
        Scheduler = Scheduler.ResetDefault();
        Observe(Scheduler);
        _namedChannels = new();
        _usedInTrace = null;
    }

    /// <summary>An element id for the next chart: a counter, so outputs are the same on every run.</summary>
    internal string NextChartId() => "stackless-chart-" + Interlocked.Increment(ref _chartCount);

    /// <summary>How many steps a run takes between looks at its cancellation token.</summary>
    internal const int StepsBetweenChecks = 10_000;

    /// <summary>
    /// Runs the scheduler <paramref name="steps"/> steps (all, when null) from the main tasklet, capturing what the
    /// tasklets print. The soft form is used, so the run queue stays as the schedule left it and the next run goes on
    /// with the same order. An exception escaping a tasklet ends the run and is returned; the other tasklets stay as
    /// they were. The run goes in slices of <see cref="StepsBetweenChecks"/> steps, so that stopping the cell
    /// (<paramref name="cancel"/>) ends a program that would never end, between two steps.
    /// </summary>
    internal RunOutcome Run(long? steps, CancellationToken cancel = default)
    {
        var scheduler = Scheduler;
        var firstEvent = Trace.Total;
        var stepsBefore = scheduler.Steps;
        var output = new StringWriter();
        var (stdout, stderr) = (Console.Out, Console.Error);
        Exception? error = null;
        Console.SetOut(output);
        Console.SetError(output);
        var interrupted = false;
        try
        {
            var left = steps ?? long.MaxValue;
            while (left > 0)
            {
                if (cancel.IsCancellationRequested) { interrupted = true; break; }
                var slice = Math.Min(left, StepsBetweenChecks);
                var before = scheduler.Steps;
                scheduler.Run(slice, soft: true);
                var ran = scheduler.Steps - before;
                if (ran < slice) break; // nothing runnable and nothing waiting on I/O: the program is done
                left -= ran;
            }
        }
        catch (Exception e)
        {
            error = e;
        }
        finally
        {
            Console.SetOut(stdout);
            Console.SetError(stderr);
        }
        return new RunOutcome(output.ToString(), EventsSince(firstEvent), scheduler.Steps - stepsBefore, error, interrupted);
    }

    /// <summary>The trace events recorded since the <paramref name="total"/>-th one (as many as are still kept).</summary>
    internal IReadOnlyList<TraceEvent> EventsSince(long total)
    {
        var events = Trace.Events;
        var skip = (int)Math.Clamp(total - Trace.Dropped, 0, events.Count);
        return skip == 0 ? events : events.Skip(skip).ToList();
    }

    private static void Observe(Scheduler scheduler)
    {
        scheduler.Trace ??= new TraceRecorder(TraceCapacity);
        scheduler.TrackChannels = true;
    }
}

/// <summary>What one <c>#!run</c> did: the tasklets' output, the trace of its steps, how many, the exception that ended it, and whether the cell was stopped.</summary>
internal sealed record RunOutcome(string Output, IReadOnlyList<TraceEvent> Events, long Steps, Exception? Error, bool Interrupted);
