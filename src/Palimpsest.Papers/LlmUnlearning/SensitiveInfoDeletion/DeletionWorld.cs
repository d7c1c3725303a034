using Palimpsest.Core.Data;
using Palimpsest.Core.Experiments;
using Palimpsest.Core.Models;
using Palimpsest.Core.Randomness;
using Palimpsest.Core.Text;
using Palimpsest.Core.Training;
using Palimpsest.Core.Unlearning;
using TorchSharp;

namespace Palimpsest.Papers.LlmUnlearning;

/// <summary>One fact: a person's value of one attribute.</summary>
public readonly record struct Fact(int Person, string Attribute);

/// <summary>
/// The world of <see cref="SensitiveInfoDeletion"/>: the people and question templates of <see cref="FictitiousKb"/>,
/// each fact asked as question → one-word answer. Each attribute's 16 values are split into numbered variants
/// (arton-1 … arton-4), so that an attack budget of 20 candidates cannot simply list all of an attribute's values
/// (the protocol's toy draws objects from 300 values). The rng draws the names' values; templates and names are fixed.
/// </summary>
public sealed class DeletionWorld
{
    private readonly Dictionary<string, IReadOnlyList<string>> _values;

    /// <summary>The knowledge base whose names and question templates are used.</summary>
    public FictitiousKb Kb { get; }
    /// <summary>The people, with values drawn from the enlarged value sets.</summary>
    public IReadOnlyList<Entity> People { get; }
    /// <summary>Every fact, person by person, attributes in <see cref="FictitiousKb.Attributes"/> order.</summary>
    public IReadOnlyList<Fact> Facts { get; }
    /// <summary>Every word of every question and value.</summary>
    public WordTokenizer Tokenizer { get; }
    /// <summary>The context a model needs: the longest question plus its answer.</summary>
    public int ContextLength { get; }

    /// <summary>Builds <paramref name="people"/> people whose values are drawn from <paramref name="rng"/>.</summary>
    public DeletionWorld(int people, int variants, Rng rng)
    {
        if (variants < 1) throw new ArgumentOutOfRangeException(nameof(variants), variants, "each value needs at least one variant");
        Kb = new FictitiousKb(people, rng);
        _values = FictitiousKb.Attributes.ToDictionary(a => a, a => (IReadOnlyList<string>)FictitiousKb.ValuesOf(a)
            .SelectMany(v => Enumerable.Range(1, variants).Select(i => $"{v}-{i}")).ToList());
        People = Kb.Entities.Select(e => new Entity(e.Name,
            FictitiousKb.Attributes.ToDictionary(a => a, a => rng.Pick(_values[a])))).ToList();
        Facts = Enumerable.Range(0, people).SelectMany(p => FictitiousKb.Attributes.Select(a => new Fact(p, a))).ToList();
        var questions = Facts.SelectMany(f => Enumerable.Range(0, FictitiousKb.Templates).Select(t => Question(f, t))).ToList();
        Tokenizer = WordTokenizer.FromTexts(questions.Concat(_values.Values.SelectMany(v => v)));
        ContextLength = questions.Max(q => Tokenizer.Encode(q, addBos: true, addEos: false).Length) + 2;
    }

    /// <summary>The possible values of an attribute (16 × variants).</summary>
    public IReadOnlyList<string> ValuesOf(string attribute) => _values[attribute];

    /// <summary>The true value of a fact.</summary>
    public string Value(Fact f) => People[f.Person].Values[f.Attribute];

    /// <summary>The question about a fact in template <paramref name="template"/> (0 = canonical).</summary>
    public string Question(Fact f, int template) => Kb.Question(People[f.Person], f.Attribute, template).Prompt;

    /// <summary>The question's tokens, starting with &lt;bos&gt;, ending where the answer follows.</summary>
    public int[] Prompt(Fact f, int template) => Tokenizer.Encode(Question(f, template), addBos: true, addEos: false);

    /// <summary>The answer's token id.</summary>
    public int Answer(Fact f) => Tokenizer.Id(Value(f));

    /// <summary>The position of the person's name (the subject's last token) in <see cref="Prompt"/>.</summary>
    public int SubjectPosition(Fact f, int template) => Array.IndexOf(Prompt(f, template), Tokenizer.Id(People[f.Person].Name));

    /// <summary>Prompts about one fact in several templates, with the subject positions ROME needs.</summary>
    public SubjectPrompts Subject(Fact f, IReadOnlyList<int> templates) =>
        new(templates.Select(t => Prompt(f, t)).ToList(), templates.Select(t => SubjectPosition(f, t)).ToList());

    /// <summary>Question + answer + &lt;eos&gt;, the loss on the answer only, for each fact in each template.</summary>
    public List<PromptAnswer> Examples(IEnumerable<Fact> facts, IReadOnlyList<int> templates) =>
        facts.SelectMany(f => templates.Select(t =>
        {
            var p = Prompt(f, t);
            return new PromptAnswer([.. p, Answer(f), WordTokenizer.Eos], p.Length);
        })).ToList();

    /// <summary>
    /// Fine-tunes a fresh model (the same initialisation every time, so the exact-deletion control differs from the
    /// original only by the facts it never saw) on the facts in the trained templates, the loss on the answer.
    /// </summary>
    public TinyGpt Train(TinyGptConfig shape, IReadOnlyList<Fact> facts, SensitiveInfoDeletion.Config cfg, string stage, RunContext ctx)
    {
        var examples = Examples(facts, Enumerable.Range(0, cfg.TrainTemplates).ToList());
        return AnswerTraining.Train(shape, examples, cfg.Epochs, cfg.BatchSize, cfg.LearningRate, stage, $"order-{stage}", ctx);
    }
}
