using System.Reflection;
using System.Runtime.CompilerServices;

namespace StacklessInteractive;

/// <summary>
/// Finds the channels a tasklet's body can reach: its arguments, the variables its closure captured and the
/// locals its suspended state machine holds. Views use it to draw a deadlock's wait-for cycle ("t1 waits on
/// ch1, which only t2 can serve"). It looks through compiler-made objects (closures, state machines,
/// delegates, starters) and arrays only, a few levels deep, so it never wanders into a program's own object
/// graph; what it cannot see it does not report.
/// </summary>
internal static class ReachableChannels
{
    private const int MaxDepth = 4;
    private const BindingFlags AllFields = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;

    public static IReadOnlyList<ChannelBase> Of(Tasklet tasklet)
    {
        var found = new HashSet<ChannelBase>(ReferenceEqualityComparer.Instance);
        if (tasklet.BlockedOn is { } blockedOn) found.Add(blockedOn);
        Walk(tasklet.Body, 0, found, new HashSet<object>(ReferenceEqualityComparer.Instance));
        return found.OrderBy(c => c.Id).ToList();
    }

    private static void Walk(object? value, int depth, HashSet<ChannelBase> found, HashSet<object> seen)
    {
        switch (value)
        {
            case null: return;
            case ChannelBase channel: found.Add(channel); return;
            case string: return;
        }
        if (depth > MaxDepth) return;
        var type = value.GetType();
        if (!type.IsValueType && !seen.Add(value)) return;
        switch (value)
        {
            case Delegate d:
                foreach (var inner in d.GetInvocationList()) Walk(inner.Target, depth + 1, found, seen);
                return;
            case object?[] items:
                foreach (var item in items) Walk(item, depth + 1, found, seen);
                return;
            case System.Collections.IEnumerable and not ChannelBase when IsCollectionOfChannels(type):
                foreach (var item in (System.Collections.IEnumerable)value) Walk(item, depth + 1, found, seen);
                return;
        }
        if (!IsMadeByTheCompilerOrUs(type)) return;
        foreach (var field in type.GetFields(AllFields))
        {
            if (field.FieldType.IsPrimitive || field.FieldType.IsPointer || field.FieldType.IsByRefLike) continue;
            Walk(field.GetValue(value), depth + 1, found, seen);
        }
    }

    private static bool IsCollectionOfChannels(Type type) =>
        type.IsArray ? typeof(ChannelBase).IsAssignableFrom(type.GetElementType())
        : type.IsGenericType && type.GetGenericArguments() is [var element] && typeof(ChannelBase).IsAssignableFrom(element);

    // Closures, lambdas' display classes and async state machines are compiler-made; starters and body boxes are ours.
    private static bool IsMadeByTheCompilerOrUs(Type type) =>
        type.Assembly == typeof(ReachableChannels).Assembly
        || type.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false)
        || typeof(IAsyncStateMachine).IsAssignableFrom(type)
        || type.Name.Contains('<');
}
