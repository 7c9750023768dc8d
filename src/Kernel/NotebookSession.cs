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
    private ConditionalWeakTable<Tasklet, string> _bodies = new();
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

    /// <summary>Records the body of <paramref name="tasklet"/>'s #!tasklet cell, so that a stop can quote its line.</summary>
    internal void NoteBody(Tasklet tasklet, string body) => _bodies.AddOrUpdate(tasklet, body);

    /// <summary>Line <paramref name="line"/> (from 1) of the #!tasklet body that spawned <paramref name="tasklet"/>, trimmed; null when unknown.</summary>
    internal string? BodyLine(Tasklet tasklet, int line) =>
        line > 0 && _bodies.TryGetValue(tasklet, out var body) && body.Split('\n') is var lines && line <= lines.Length ? lines[line - 1].Trim() : null;

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

    /// <summary>
    /// True when tasklets are blocked and nothing can run or complete: the state the deadlock panel explains, as stuck
    /// or as waiting. The panel is then the output's one banner (the scheduler view is drawn without its own).
    /// </summary>
    public static bool NeedsDeadlockPanel(DeadlockReport report) =>
        report.Blocked.Count > 0 && report.Runnable == 0 && report.WaitingIO == 0;

    /// <summary>The deadlock panel of <paramref name="report"/>, with what this notebook knows: channels, holders, lines.</summary>
    public string DeadlockHtml(DeadlockReport report) =>
        Views.DeadlockView.Render(report, ChannelsOf, HolderOf(), BlockedAt);

    /// <summary>
    /// The scheduler view with one banner: the deadlock panel's, which tells stuck from waiting, when it is needed
    /// (#!tasklets and a cell returning a scheduler; the scheduler view's own banner knows only the runtime's rule).
    /// </summary>
    public string StateHtml(Scheduler scheduler)
    {
        var report = scheduler.GetDeadlockReport();
        return Views.SchedulerView.Render(scheduler, deadlockBanner: false) + (NeedsDeadlockPanel(report) ? DeadlockHtml(report) : "");
    }

    /// <summary>Where a tasklet blocked: "line 3 of its #!tasklet cell", or null when its body comes from no #!tasklet cell.</summary>
    public static string? BlockedAt(Tasklet tasklet) =>
        BlockSites.LineOf(tasklet) is { } line ? $"line {line} of its #!tasklet cell" : null;

    /// <summary>Starts again: a fresh default scheduler (ids from 0), an empty trace.</summary>
    /// <exception cref="InvalidOperationException">A run is under way (from another cell, or from inside a tasklet).</exception>
    public void Reset()
    {
        Scheduler = Scheduler.ResetDefault(Handlers.ResetCommand);
        _preempted = null;
        Observe(Scheduler);
        _namedChannels = new();
        _usedInTrace = null;
        _bodies = new();
    }

    /// <summary>An element id for the next chart: a counter, so outputs are the same on every run.</summary>
    internal string NextChartId() => "stackless-chart-" + Interlocked.Increment(ref _chartCount);

    /// <summary>How many steps a run takes between looks at its cancellation token and its time budget.</summary>
    internal const int StepsBetweenChecks = 10_000;

    /// <summary>The time budget of a run when the cell gives none (<c>#!run --timeout SECONDS</c>).</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private Tasklet? _preempted; // the tasklet the last run's tick check paused: the next run continues it
    private volatile bool _running;

    /// <summary>True while a <c>#!run</c> or <c>#!step</c> runs tasklets.</summary>
    internal bool Running => _running;

    /// <summary>
    /// Runs the scheduler <paramref name="steps"/> steps (all, when null) from the main tasklet, capturing what the
    /// tasklets print. The soft form is used, so the run queue stays as the schedule left it and the next run goes on
    /// with the same order. An exception escaping a tasklet ends the run and is returned; the other tasklets stay as
    /// they were. The run stops when <paramref name="timeout"/> (none when null) is spent or the cell is interrupted
    /// (<paramref name="cancel"/>, or <see cref="Ticks.Interrupt"/>): between two steps (the run goes in slices of
    /// <see cref="StepsBetweenChecks"/> steps), or inside a step, where the tick checks of <c>#!tasklet</c> bodies
    /// preempt the running tasklet; a step limit also preempts a step that never switches. A preempted tasklet is
    /// paused, and the next run puts it back in the run queue first.
    /// </summary>
    internal RunOutcome Run(long? steps, TimeSpan? timeout, CancellationToken cancel = default)
    {
        var scheduler = Scheduler;
        if (Interlocked.Exchange(ref _preempted, null) is { Alive: true, State: TaskletState.Paused } paused && paused.Owner == scheduler)
            paused.Insert();
        var firstEvent = Trace.Total;
        var stepsBefore = scheduler.Steps;
        var output = new StringWriter();
        var (stdout, stderr) = (Console.Out, Console.Error);
        Exception? error = null;
        StopReason? stopped = null;
        Stop? stop = null;
        Console.SetOut(output);
        Console.SetError(output);
        _running = true;
        var budget = Ticks.Arm(scheduler, timeout is { Ticks: > 0 } t ? t : null, stepped: steps is not null);
        var registration = cancel.Register(Ticks.Interrupt);
        try
        {
            var left = steps ?? long.MaxValue;
            while (left > 0)
            {
                if (Ticks.Interrupted || cancel.IsCancellationRequested) { stopped = StopReason.Interrupt; break; }
                if (budget.Spent) { stopped = StopReason.Timeout; break; }
                var slice = Math.Min(left, StepsBetweenChecks);
                var before = scheduler.Steps;
                if (scheduler.Run(slice, soft: true) is { } preempted)
                {
                    stop = Ticks.TakeStop() is { } taken && taken.Tasklet == preempted ? taken : new Stop(preempted, 0, StopReason.Interrupt);
                    _preempted = preempted;
                    stopped = stop.Reason;
                    break;
                }
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
            registration.Dispose();
            budget.Dispose();
            _running = false;
            Console.SetOut(stdout);
            Console.SetError(stderr);
        }
        return new RunOutcome(output.ToString(), EventsSince(firstEvent), scheduler.Steps - stepsBefore, error, stopped, stop, timeout,
            stop is null ? null : BodyLine(stop.Tasklet, stop.Line));
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
