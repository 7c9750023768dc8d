namespace StacklessInteractive.Kernel;

/// <summary>The help entries of <c>#!explore</c> and <c>#!replay</c> (listed by <see cref="Help.All"/>).</summary>
internal static class ExploreHelp
{
    public static readonly Help.Command Explore = new("#!explore",
        "The rest of the cell is a program: it makes channels and spawns tasklets on `scheduler` (and may `return () => invariant;`). It runs under many schedules, each on a fresh scheduler, and shows the distinct outcomes with their counts and the first failing schedule (exception, deadlock, failed Stackless.Assert, false invariant, livelock), shrunk, as a timeline.",
        "#!explore --strategy dfs\nvar ch = new Channel<int>(scheduler);\nscheduler.Spawn(async () => await ch.Send(1));\nscheduler.Spawn(async () => Console.WriteLine(await ch.Receive()));",
        Help.Option.Text("--strategy random|pct|dfs", "random walks (default), PCT, or every schedule depth first with partial-order reduction"),
        Help.Option.Count("--schedules N", "how many schedules (default 1000; for dfs the bound, default 100000)", "schedules", 1),
        Help.Option.Count("--seed S", "the seed of the first random or PCT schedule (default 0)", "the seed", 0),
        Help.Option.Count("--depth D", "PCT's depth: priority change points plus one (default 3)", "change points plus one", 1),
        Help.Option.Count("--steps N", "the step bound of one run: past it a run is a livelock (default 10000)", "steps", 1),
        Help.Option.Flag("--no-reduction", "dfs without partial-order reduction, for programs that share variables across channel operations"));

    public static readonly Help.Command Replay = new("#!replay",
        "Rebuilds the last #!explore program on the notebook's scheduler (a fresh one) to run along a schedule: #!step, #!run, #!tasklets, #!channels and #!timeline then show that run.",
        "#!replay 0.0.2.2",
        Help.Option.Text("SCHEDULE", "choices such as 0.0.2.2 (as #!explore prints them), seed=42, or pct:seed=S,depth=D,steps=K"));
}
