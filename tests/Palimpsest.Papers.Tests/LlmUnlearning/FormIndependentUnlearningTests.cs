using Palimpsest.Core.Data;
using Palimpsest.Core.Experiments;
using Palimpsest.Core.Models;
using Palimpsest.Core.Randomness;
using Palimpsest.Core.Text;
using Palimpsest.Core.Unlearning;
using Palimpsest.Papers.LlmUnlearning;
using Palimpsest.Papers.Tests.Contract;
using static TorchSharp.torch;

namespace Palimpsest.Papers.Tests.LlmUnlearning;

public sealed class FormIndependentUnlearningTests(PaperTests<FormIndependentUnlearning>.SmokeRuns runs)
    : PaperTests<FormIndependentUnlearning>(runs)
{
    private readonly PaperTests<FormIndependentUnlearning>.SmokeRuns _runs = runs;

    [Fact]
    public void TheWorldWritesEveryFactInFiveFormsDeterministicallyAndEachPromptEndsWhereTheAnswerStarts()
    {
        var world = new FormWorld(30, new Rng(5));
        var again = new FormWorld(30, new Rng(5));
        var items = world.Items(Enumerable.Range(0, 30));
        Assert.Equal(items.Select(i => string.Join(",", i.Prompt) + ">" + i.Answer), again.Items(Enumerable.Range(0, 30))
            .Select(i => string.Join(",", i.Prompt) + ">" + i.Answer));
        var tok = world.Tokenizer;
        foreach (var person in Enumerable.Range(0, 30))
        {
            var entity = world.Kb.Entities[person];
            foreach (var form in FormWorld.Forms.Where(f => f != KnowledgeForm.Reverse))
                Assert.Equal(FictitiousKb.Attributes, world.Items([person], form).Select(i => i.Attribute));
            Assert.InRange(world.Items([person], KnowledgeForm.Reverse).Count, 0, 1);
            foreach (var item in world.Items([person]))
            {
                Assert.Equal(WordTokenizer.Bos, item.Prompt[0]);
                Assert.True(item.Prompt.Length + 2 <= world.ContextLength, "a training sequence exceeds the context");
                if (item.Form == KnowledgeForm.Reverse)
                {
                    Assert.Equal(tok.Id(entity.Name), item.Answer);                        // values → the person
                    Assert.DoesNotContain(tok.Id(entity.Name), item.Prompt);
                    continue;
                }
                Assert.Equal(tok.Id(entity.Name), item.Prompt[item.SubjectPosition]);     // where ROCR reads the key
                string value = entity.Values[item.Attribute];
                if (item.Form == KnowledgeForm.MultipleChoice)
                {
                    string label = tok.Words[item.Answer];
                    Assert.Equal(value, world.Options(person, item.Attribute)[FormWorld.OptionLabels.ToList().IndexOf(label)]);
                    Assert.Contains(tok.Id(value), item.Prompt);                            // the true value is among the options
                }
                else Assert.Equal(tok.Id(value), item.Answer);
            }
            // F1 is the canonical statement cut before its value: prompt + answer + "." is the statement.
            var statement = world.Items([person], KnowledgeForm.Statement)[0];
            Assert.Equal(world.Kb.Statement(entity, FictitiousKb.Attributes[0], 0),
                tok.Decode([.. statement.Prompt.Skip(1), statement.Answer]) + " .");
        }
        // F3 puts the gap before the name (reordered words); F2 and F4 share the question's stem.
        var cloze = world.Items([0], KnowledgeForm.Cloze)[0];
        Assert.True(Array.IndexOf(cloze.Prompt, tok.Id("___")) < cloze.SubjectPosition);
        Assert.Equal(FormWorld.Example(cloze).Tokens[cloze.Prompt.Length], cloze.Answer);
        Assert.Equal(FormWorld.Example(cloze).AnswerFrom, world.Refusal(cloze).AnswerFrom);
    }

    [Fact]
    public void TheRedirectionMakesTheSubjectsResidualAfterTheEditedBlockEqualTheAnchors()
    {
        using var g = new Generator(3);
        using var model = new TinyGpt(new TinyGptConfig(VocabSize: 20, ContextLength: 8, Layers: 2, Width: 16, Heads: 2), g);
        var subject = new SubjectPrompts([[1, 5, 9, 4]], [1]);
        var anchor = new SubjectPrompts([[1, 7, 9, 4]], [1]);
        var rng = new Rng(2);
        var text = Enumerable.Range(0, 40).Select(_ => Enumerable.Range(0, 6).Select(t => t == 0 ? 1 : rng.NextInt(2, 20)).ToArray()).ToList();
        var covariance = KeyCovariance.Estimate(model, 0, text);
        float[] After(TinyGpt m, int[] prompt)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var hidden = m.ForwardWithHidden(tensor(prompt.Select(t => (long)t).ToArray(), [1, prompt.Length], ScalarType.Int64)).Hidden[1];
            return hidden[0, 1].contiguous().data<float>().ToArray();                                   // block 0's output at the name
        }
        var anchorBefore = After(model, anchor.Prompts[0]);
        var subjectBefore = After(model, subject.Prompts[0]);
        using var edited = model.Copy();
        double seconds = ConceptRedirection.Redirect(edited, 0, subject, anchor, covariance, null, matchResidual: true);
        Assert.InRange(seconds, 0, 5);
        var subjectAfter = After(edited, subject.Prompts[0]);
        Assert.True(subjectBefore.Zip(anchorBefore).Max(p => Math.Abs(p.First - p.Second)) > 1e-4, "subject and anchor already agree");
        Assert.All(subjectAfter.Zip(anchorBefore), p => Assert.True(Math.Abs(p.First - p.Second) < 1e-3 * (1 + Math.Abs(p.Second)),
            $"redirected {p.First} against the anchor's {p.Second}"));
    }

    [Fact]
    public void TheFormGapCountsOnlyCountedFormsAndOnlyOnceTheTrainedFormIsForgotten()
    {
        var before = new FormIndependentUnlearning.Snapshot([0.9, 0.8, 0.8, 0.9, 0.5], [1, 1, 1, 1, 1], [1, 1, 1, 1, 0.6]);
        var after = new FormIndependentUnlearning.Snapshot([0.09, 0.6, 0.2, 0.5, 0.5], [0, 1, 0, 1, 1], [0.9, 0.9, 0.9, 0.8, 0.6]);
        var all = FormIndependentUnlearning.Summarise("GA", 3, before, after, [0, 1, 2, 3]);
        Assert.Equal(0.9, all.F1Reduction, 6);
        Assert.Equal(2, all.FormsAtMostHalf);                                              // QA (25%) and MC (44%); cloze fell 75%
        Assert.Equal(2, all.FormGap);
        Assert.Equal(0.25, all.MinReduction, 6);
        Assert.Equal(12.5, all.RetainDrop, 6);                                             // (10 + 10 + 10 + 20) / 4 points
        Assert.Equal(1, FormIndependentUnlearning.Summarise("GA", 3, before, after, [0, 2, 3]).FormGap);   // QA not counted
        var weak = after with { Probability = [0.3, 0.6, 0.2, 0.5, 0.5] };
        Assert.Equal(0, FormIndependentUnlearning.Summarise("NPO", 3, before, weak, [0, 1, 2, 3]).FormGap);  // F1 fell 67% < 80%
    }

    [Fact]
    public void TheSmokeRunReportsEveryMethodOnEveryFormAndTheCheckpointForgetsTheStatement()
    {
        var r = (FormIndependentUnlearning.Result)_runs.First.Result;
        var cfg = FormIndependentUnlearning.Config.Smoke;
        var methods = new[] { FormIndependentUnlearning.Rocr, FormIndependentUnlearning.WrongSubject }.Concat(cfg.Methods).ToList();
        Assert.Equal(methods, r.Methods.Select(m => m.Method));
        Assert.Equal(methods.Count * FormWorld.Forms.Count, r.Rows.Count);
        Assert.Equal(cfg.Targets, r.Targets);
        Assert.All(r.Forms, f => Assert.Equal(f.Accuracy >= FormIndependentUnlearning.CountedAccuracy, f.IsCounted));
        Assert.All(r.Rows.Where(x => x.Method == methods[0]), x => Assert.Equal(
            r.Rows.Single(y => y.Method == methods[1] && y.Form == x.Form).ProbabilityBefore, x.ProbabilityBefore));
        var ga = r.Methods.Single(m => m.Method == "GA");
        Assert.True(ga.Step > 0, "GA's checkpoint is the untouched model");
        Assert.Contains(r.Curves, c => c.Method == "GA" && c.Step == 0 && c.Reduction == 0);
        Assert.True(r.MaxEditSeconds > 0 && r.MaxEditSeconds >= r.MeanEditSeconds);
        // The control's paired items: every target question that names the person, once per edit.
        Assert.Equal(cfg.Targets * FictitiousKb.Attributes.Count * 4, r.RocrItemReduction.Count);
        Assert.Equal(r.RocrItemReduction.Count, r.WrongSubjectItemReduction.Count);
        Assert.Equal(r.RocrGainOverControl, r.RocrItemReduction.Average() - r.WrongSubjectItemReduction.Average(), 4);
    }

    [Fact]
    public void AtSmokeEveryEditAndGaMoveTheTargetsAnswers()
    {
        // A method that silently does nothing leaves the target's answers where the untouched model has them: its F1
        // reduction would be zero up to float noise, and two no-op edits would give identical per-question numbers.
        var r = (FormIndependentUnlearning.Result)_runs.First.Result;
        var rocr = FormIndependentUnlearning.Summary(r, FormIndependentUnlearning.Rocr)!;
        var ga = FormIndependentUnlearning.Summary(r, "GA")!;
        Assert.True(Math.Abs(rocr.F1Reduction) > 1e-3, $"ROCR moved the targets' F1 answer probability by {rocr.F1Reduction}");
        Assert.True(ga.F1Reduction > 1e-3, $"GA lowered the targets' F1 answer probability by {ga.F1Reduction}");
        Assert.NotEqual(r.RocrItemReduction, r.WrongSubjectItemReduction);
    }

    [Fact]
    public void EveryClaimAboutTheFormsDependsOnTheFormsBeingLearntAndTheEffectBeingCreated()
    {
        var specs = ((IExperiment)new FormIndependentUnlearning()).ClaimSpecs.ToDictionary(s => s.Id);
        var learns = FormWorld.Forms.Select(FormIndependentUnlearning.Learns).ToList();
        Assert.All(learns, id => Assert.Equal(ClaimKind.Precondition, specs[id].Kind));
        Assert.All(specs.Values.Where(s => s.Kind == ClaimKind.Finding), s => Assert.All(learns, id => Assert.Contains(id, s.DependsOn)));
        foreach (string method in new[] { "ga", "npo" })
            Assert.Equal(new[] { $"{method}-forgets-f1", $"{method}-keeps-retain" },
                specs[$"{method}-form-dependent"].DependsOn.Where(d => d.StartsWith(method + "-", StringComparison.Ordinal)));
        Assert.Contains("rocr-forgets-f1", specs["rocr-every-form"].DependsOn);
        Assert.Contains("rocr-forgets-f1", specs["rocr-keeps-retain"].DependsOn);
        // The control must be able to fail for an edit that does nothing, so it does not wait for the edit to work.
        var control = specs["rocr-beats-wrong-subject"];
        Assert.Equal(ClaimTest.Interval, control.Test);
        Assert.DoesNotContain("rocr-forgets-f1", control.DependsOn);
        Assert.Equal(ClaimKind.Sanity, specs["rocr-edits-fast"].Kind);
    }
}
