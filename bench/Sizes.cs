using System.Globalization;
using System.Reflection;

namespace StacklessInteractive.Bench;

/// <summary>
/// What each object of a tasklet costs: instance sizes of the runtime's types (internal ones found by
/// reflection), measured as allocated bytes per instance of <see cref="RuntimeHelpers.GetUninitializedObject"/>,
/// and the bytes each stage of a tasklet's life allocates. The table goes to stderr; the line's
/// bytes_per_tasklet is the total for a tasklet blocked receiving on its own Channel&lt;int&gt;.
/// </summary>
internal static class Sizes
{
    private static int s_sink;

    private static async TaskletBody Wait(Channel<int> channel)
    {
        s_sink += await channel.Receive();
    }

    private static async TaskletBody Filter(int prime, Channel<int> input, Channel<int> output)
    {
        while (true)
        {
            var i = await input.Receive();
            if (i % prime != 0) await output.Send(i);
        }
    }

    public static Result Run(int n, bool trace)
    {
        var count = Math.Max(n, 16);
        var runtime = typeof(Scheduler).Assembly;
        Type Internal(string name) => runtime.GetType("StacklessInteractive." + name, throwOnError: true)!;
        Type StateMachine(Type owner, string method) => owner.GetNestedTypes(BindingFlags.NonPublic)
            .Single(t => t.Name.StartsWith("<" + method + ">", StringComparison.Ordinal));

        var rows = new List<(string What, double Bytes)>
        {
            ("Tasklet", InstanceSize(typeof(Tasklet), count)),
            ("Channel<int>", InstanceSize(typeof(Channel<int>), count)),
            ("Channel (of object)", InstanceSize(typeof(Channel), count)),
            ("Slot<int>", InstanceSize(Internal("Slot`1").MakeGenericType(typeof(int)), count)),
            ("Starter<Channel<int>>", InstanceSize(Internal("Starter`1").MakeGenericType(typeof(Channel<int>)), count)),
            ("Starter<int, Channel<int>, Channel<int>>",
                InstanceSize(Internal("Starter`3").MakeGenericType(typeof(int), typeof(Channel<int>), typeof(Channel<int>)), count)),
            ("BodyBox<Wait state machine>", InstanceSize(Internal("BodyBox`1").MakeGenericType(StateMachine(typeof(Sizes), nameof(Wait))), count)),
            ("BodyBox<Filter state machine>", InstanceSize(Internal("BodyBox`1").MakeGenericType(StateMachine(typeof(Sizes), nameof(Filter))), count)),
            ("Action (MoveNextAction, foreign awaits only)", DelegateSize(count)),
            ("Scheduler", InstanceSize(typeof(Scheduler), count)),
            ("TraceRecorder, per event it keeps (its ring slot)", RecorderSlotSize(count)),
            ("boxed int (trace's Value of a hand-off)", InstanceSize(typeof(int), count)),
        };

        // The life of a blocked tasklet, stage by stage, averaged over `count` tasklets.
        var s = new Scheduler();
        if (trace) s.Trace = new TraceRecorder(100_000);
        var channels = new Channel<int>[count];
        var tasklets = new Tasklet[count];
        var a0 = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < count; i++) channels[i] = new Channel<int>(s);
        var a1 = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < count; i++) tasklets[i] = s.Spawn(Wait, channels[i]);
        var a2 = GC.GetAllocatedBytesForCurrentThread();
        s.Run();
        var a3 = GC.GetAllocatedBytesForCurrentThread();
        foreach (var channel in channels) channel.Send(1);
        var a4 = GC.GetAllocatedBytesForCurrentThread();
        if (s.AliveCount != 0) throw new CheckFailedException($"{s.AliveCount} tasklets still alive in sizes.");
        double Per(long bytes) => (double)bytes / count;
        var blocked = Per(a3 - a0);
        rows.Add(("stage: new Channel<int>", Per(a1 - a0)));
        rows.Add(("stage: Spawn(Wait, channel)", Per(a2 - a1)));
        rows.Add(("stage: first step, up to blocking in Receive", Per(a3 - a2)));
        rows.Add(("stage: main sends it a value, it ends", Per(a4 - a3)));
        rows.Add(("total: a tasklet blocked on its own channel", blocked));

        var ci = CultureInfo.InvariantCulture;
        Console.Error.WriteLine("| object or stage | bytes |");
        Console.Error.WriteLine("|---|---:|");
        foreach (var (what, bytes) in rows) Console.Error.WriteLine(string.Create(ci, $"| {what} | {bytes:0.#} |"));
        Console.Error.WriteLine();
        PrintFields(typeof(Tasklet));
        PrintFields(typeof(Channel<int>));
        PrintFields(Internal("BodyBox`1").MakeGenericType(StateMachine(typeof(Sizes), nameof(Filter))));
        PrintFields(StateMachine(typeof(Sizes), nameof(Filter)));

        GC.KeepAlive(tasklets);
        return new Result("sizes", n, trace)
        {
            BytesPerTasklet = blocked,
            AllocatedBytes = a4 - a0,
        };
    }

    /// <summary>Bytes allocated per <see cref="RuntimeHelpers.GetUninitializedObject"/> of <paramref name="type"/>: its instance size.</summary>
    private static double InstanceSize(Type type, int count)
    {
        var keep = new object[count];
        keep[0] = RuntimeHelpers.GetUninitializedObject(type); // the first call may fill caches
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 1; i < count; i++) keep[i] = RuntimeHelpers.GetUninitializedObject(type);
        var after = GC.GetAllocatedBytesForCurrentThread();
        GC.KeepAlive(keep);
        return (double)(after - before) / (count - 1);
    }

    /// <summary>Bytes a <see cref="TraceRecorder"/> allocates per event of its capacity: the size of its ring's slot.</summary>
    private static double RecorderSlotSize(int count)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var recorder = new TraceRecorder(count); // its handle table and the object itself are spread over count
        var after = GC.GetAllocatedBytesForCurrentThread();
        GC.KeepAlive(recorder);
        return (double)(after - before) / count;
    }

    /// <summary>Bytes allocated per closed <see cref="Action"/> delegate (the kind MoveNextAction creates).</summary>
    private static double DelegateSize(int count)
    {
        var keep = new Action[count];
        var target = new object();
        keep[0] = () => GC.KeepAlive(target);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 1; i < count; i++) keep[i] = keep[0].Invoke;
        var after = GC.GetAllocatedBytesForCurrentThread();
        GC.KeepAlive(keep);
        return (double)(after - before) / (count - 1);
    }

    private static void PrintFields(Type type)
    {
        var fields = new List<string>();
        for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
        {
            foreach (var f in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                fields.Add($"{f.FieldType.Name} {f.Name}");
        }
        Console.Error.WriteLine($"{Name(type)}: {fields.Count} fields: {string.Join(", ", fields)}");
    }

    private static string Name(Type type) => type.IsGenericType
        ? type.Name[..type.Name.IndexOf('`')] + "<" + string.Join(", ", type.GetGenericArguments().Select(Name)) + ">"
        : type.Name;
}
