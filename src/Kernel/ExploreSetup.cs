using System.Net;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Directives;
using Microsoft.DotNet.Interactive.Formatting;
using StacklessInteractive.Views;

namespace StacklessInteractive.Kernel;

/// <summary>Adds <c>#!explore</c> (a kernel: the cell is the program) and <c>#!replay</c> to the notebook.</summary>
internal static class ExploreSetup
{
    public static void Register(CompositeKernel root, NotebookSession session)
    {
        if (root.FindKernelByName(ExploreKernel.KernelName) is null) root.Add(new ExploreKernel(session));
        var replay = new KernelActionDirective(ExploreHelp.Replay.Name) { Description = ExploreHelp.Replay.Summary };
        replay.Parameters.Add(new KernelDirectiveParameter("--schedule", ExploreHelp.Replay.Options[0].Description) { AllowImplicitName = true, Required = true });
        root.AddDirective<ReplaySchedule>(replay, (command, context) =>
        {
            if (ExploreSession.Current.Program is not { } program)
            {
                context.Fail(command, message: "#!replay: no program to replay; explore one first with an #!explore cell.");
                return Task.CompletedTask;
            }
            if (!Schedule.TryParse(command.Schedule?.Trim('"'), out var schedule, out var error))
            {
                context.Fail(command, message: "#!replay: " + error);
                return Task.CompletedTask;
            }
            session.Reset();
            try
            {
                Explorer.Prepare(session.Scheduler, program, schedule);
            }
            catch (Exception e)
            {
                context.Fail(command, e, $"#!replay: the program failed while making its tasklets: {e.GetType().Name}: {e.Message}");
                return Task.CompletedTask;
            }
            context.DisplayAs("<p class=\"sl-note\">" + WebUtility.HtmlEncode(
                    $"The program is rebuilt on a fresh scheduler to run along {schedule}: #!step or #!run goes on; #!tasklets, #!channels and #!timeline show it.")
                + "</p>" + SchedulerView.Render(session.Scheduler), HtmlFormatter.MimeType);
            return Task.CompletedTask;
        });
    }
}
