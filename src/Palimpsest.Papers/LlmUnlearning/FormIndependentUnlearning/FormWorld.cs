using Palimpsest.Core.Data;
using Palimpsest.Core.Experiments;
using Palimpsest.Core.Models;
using Palimpsest.Core.Randomness;
using Palimpsest.Core.Text;
using Palimpsest.Core.Training;
using Palimpsest.Core.Unlearning;
using TorchSharp;

namespace Palimpsest.Papers.LlmUnlearning;

/// <summary>The five forms in which <see cref="FormWorld"/> asks for the same knowledge (ORT's task forms, in miniature).</summary>
public enum KnowledgeForm
{
    /// <summary>F1: the statement "{n} lives in" → value (the one form the unlearning methods are given).</summary>
    Statement,
    /// <summary>F2: question and answer, "question : where does {n} live ? answer :" → value.</summary>
    Question,
    /// <summary>F3: a cloze with the words reordered, the gap before the subject: "fill the gap : ___ is where {n} lives . gap :" → value.</summary>
    Cloze,
    /// <summary>F4: multiple choice among four values; the answer is the option's label (opt-a … opt-d).</summary>
    MultipleChoice,
    /// <summary>F5: reverse lookup, the person's four values → the person's name (the subject is the answer, not in the prompt).</summary>
    Reverse,
}

/// <summary>One question in one form: the prompt ends where the one-token answer starts.</summary>
/// <param name="Entity">The person asked about (or, for <see cref="KnowledgeForm.Reverse"/>, the person answered).</param>
/// <param name="Attribute">The attribute asked; empty for the reverse form, which uses all four.</param>
/// <param name="Form">The form.</param>
/// <param name="Prompt">Tokens from &lt;bos&gt; to just before the answer.</param>
/// <param name="Answer">The answer's token id.</param>
/// <param name="SubjectPosition">Index of the person's name in the prompt; −1 for the reverse form.</param>
public sealed record FormItem(int Entity, string Attribute, KnowledgeForm Form, int[] Prompt, int Answer, int SubjectPosition);

/// <summary>
/// The world of <see cref="FormIndependentUnlearning"/>: the people of <see cref="FictitiousKb"/> and every one of their
/// facts written in the five <see cref="KnowledgeForm"/>s (four per attribute, plus one reverse lookup per person). The
/// multiple-choice options (the true value and three others, shuffled) are drawn once from the world's rng, so the world
/// is a pure function of (people, seed). A reverse lookup whose four values another person shares is left out: its
/// answer would be ambiguous.
/// </summary>
public sealed class FormWorld
{
    /// <summary>The forms, in F1..F5 order.</summary>
    public static IReadOnlyList<KnowledgeForm> Forms { get; } = Enum.GetValues<KnowledgeForm>();

    /// <summary>The multiple-choice option labels (single tokens that no template uses).</summary>
    public static IReadOnlyList<string> OptionLabels { get; } = ["opt-a", "opt-b", "opt-c", "opt-d"];

    /// <summary>The refusal that IDK+RT trains towards and DPO prefers.</summary>
    public const string Idk = "i do not know";

    private static readonly Dictionary<string, string> ClozeTemplates = new()
    {
        ["town"] = "fill the gap : ___ is where {n} lives . gap :",
        ["job"] = "fill the gap : ___ is the work of {n} . gap :",
        ["pet"] = "fill the gap : ___ is the animal of {n} . gap :",
        ["colour"] = "fill the gap : ___ is the colour {n} likes best . gap :",
    };

    private readonly Dictionary<(int, string), string[]> _options = [];
    private readonly List<FormItem> _items = [];

    /// <summary>The knowledge base (names, values, statement and question templates).</summary>
    public FictitiousKb Kb { get; }
    /// <summary>Every word of every form.</summary>
    public WordTokenizer Tokenizer { get; }
    /// <summary>Context a model needs: the longest prompt, its answer and &lt;eos&gt;.</summary>
    public int ContextLength { get; }
    /// <summary>Number of people.</summary>
    public int People => Kb.Entities.Count;

    /// <summary>Builds <paramref name="people"/> people; <paramref name="rng"/> draws their values and the option orders.</summary>
    public FormWorld(int people, Rng rng)
    {
        Kb = new FictitiousKb(people, rng);
        for (int e = 0; e < people; e++)
            foreach (var a in FictitiousKb.Attributes)
            {
                var others = FictitiousKb.ValuesOf(a).Where(v => v != Kb.Entities[e].Values[a]).ToList();
                rng.Shuffle(others);
                var options = others.Take(OptionLabels.Count - 1).Append(Kb.Entities[e].Values[a]).ToArray();
                rng.Shuffle(options);
                _options[(e, a)] = options;
            }
        var texts = Enumerable.Range(0, people).SelectMany(e => Forms.SelectMany(f => Texts(e, f))).ToList();
        Tokenizer = WordTokenizer.FromTexts(texts.Select(t => t.Prompt + " " + t.Answer).Append(Idk));
        var tuples = Kb.Entities.GroupBy(ValueKey).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();
        for (int e = 0; e < people; e++)
            foreach (var f in Forms)
            {
                if (f == KnowledgeForm.Reverse && tuples.Contains(ValueKey(Kb.Entities[e]))) continue;
                foreach (var (attribute, prompt, answer) in Texts(e, f))
                {
                    var tokens = Tokenizer.Encode(prompt, addBos: true, addEos: false);
                    int subject = f == KnowledgeForm.Reverse ? -1 : Array.IndexOf(tokens, Tokenizer.Id(Kb.Entities[e].Name));
                    _items.Add(new FormItem(e, attribute, f, tokens, Tokenizer.Id(answer), subject));
                }
            }
        ContextLength = _items.Max(i => i.Prompt.Length) + 2;
    }

    /// <summary>Every item of the given people in the given forms, person by person, attributes in <see cref="FictitiousKb.Attributes"/> order.</summary>
    public List<FormItem> Items(IEnumerable<int> people, params KnowledgeForm[] forms)
    {
        var wanted = people.ToHashSet();
        var f = forms.Length == 0 ? Forms.ToHashSet() : forms.ToHashSet();
        return _items.Where(i => wanted.Contains(i.Entity) && f.Contains(i.Form)).ToList();
    }

    /// <summary>The four options of a multiple-choice item, in the order the prompt lists them.</summary>
    public IReadOnlyList<string> Options(int entity, string attribute) => _options[(entity, attribute)];

    /// <summary>Prompt + answer + &lt;eos&gt;, the loss on the answer (and &lt;eos&gt;).</summary>
    public static PromptAnswer Example(FormItem item) => new([.. item.Prompt, item.Answer, WordTokenizer.Eos], item.Prompt.Length);

    /// <summary>The same prompt answered "i do not know" (IDK+RT's target, DPO's preferred answer).</summary>
    public PromptAnswer Refusal(FormItem item) =>
        new([.. item.Prompt, .. Tokenizer.Encode(Idk, addBos: false, addEos: true)], item.Prompt.Length);

    /// <summary>F1 prompts of one person with the name's position: the subject the redirection reads its key from.</summary>
    public SubjectPrompts StatementPrompts(int entity)
    {
        var items = Items([entity], KnowledgeForm.Statement);
        return new SubjectPrompts(items.Select(i => i.Prompt).ToList(), items.Select(i => i.SubjectPosition).ToList());
    }

    /// <summary>
    /// Trains a fresh model (initialisation from the "init" stream) on every item of every person, the loss on the answer.
    /// </summary>
    public TinyGpt Train(TinyGptConfig shape, FormIndependentUnlearning.Config cfg, RunContext ctx)
    {
        var examples = _items.Select(Example).ToList();
        return AnswerTraining.Train(shape, examples, cfg.Epochs, cfg.BatchSize, cfg.LearningRate, "train", "order-train", ctx);
    }

    /// <summary>The (attribute, prompt, answer) texts of one person in one form.</summary>
    private IEnumerable<(string Attribute, string Prompt, string Answer)> Texts(int e, KnowledgeForm form)
    {
        var entity = Kb.Entities[e];
        if (form == KnowledgeForm.Reverse)
        {
            var v = entity.Values;
            yield return ("", $"question : who lives in {v["town"]} , works as a {v["job"]} , owns a {v["pet"]} and likes {v["colour"]} ? answer :",
                entity.Name);
            yield break;
        }
        foreach (var a in FictitiousKb.Attributes)
        {
            string value = entity.Values[a];
            string question = Kb.Question(entity, a, 0).Prompt;
            yield return form switch
            {
                KnowledgeForm.Statement => (a, StatementPrompt(Kb.Statement(entity, a, 0), value), value),
                KnowledgeForm.Question => (a, question, value),
                KnowledgeForm.Cloze => (a, ClozeTemplates[a].Replace("{n}", entity.Name), value),
                _ => (a, $"{question[..question.LastIndexOf(" answer :", StringComparison.Ordinal)]} " +
                    string.Join(" ", OptionLabels.Zip(_options[(e, a)], (l, o) => $"{l} {o}")) + " answer :",
                    OptionLabels[Array.IndexOf(_options[(e, a)], value)]),
            };
        }
    }

    /// <summary>The canonical statement cut just before its value ("{n} lives in {v} ." → "{n} lives in").</summary>
    private static string StatementPrompt(string statement, string value)
    {
        int at = statement.LastIndexOf(" " + value + " ", StringComparison.Ordinal);
        if (at < 0) throw new InvalidOperationException($"statement '{statement}' does not end with its value '{value}'");
        return statement[..at];
    }

    private static string ValueKey(Entity e) => string.Join(" ", FictitiousKb.Attributes.Select(a => e.Values[a]));
}
