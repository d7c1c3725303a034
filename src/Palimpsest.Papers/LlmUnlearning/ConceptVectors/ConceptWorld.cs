using Palimpsest.Core.Data;
using Palimpsest.Core.Experiments;
using Palimpsest.Core.Models;
using Palimpsest.Core.Randomness;
using Palimpsest.Core.Text;
using Palimpsest.Core.Training;
using Palimpsest.Core.Unlearning;
using TorchSharp;

namespace Palimpsest.Papers.LlmUnlearning;

/// <summary>One fact of a concept: the concept's value of one relation.</summary>
public readonly record struct ConceptFact(int Concept, int Relation);

/// <summary>
/// The world of <see cref="ConceptVectors"/>: the people of <see cref="FictitiousKb"/> as concepts, each with ten facts.
/// Eight relations have answers that belong to that concept alone (made-up three-syllable words, never reused), so that
/// one MLP value vector can promote "everything about this concept"; two (pet, colour) take FictitiousKb's shared
/// values, so the concept's facts are mostly, not only, its own tokens. Every fact is written as two statements and
/// asked with four question templates; the last template is never trained (the unseen-template probe). The rng draws the
/// answer words and the shared values; names and templates are fixed.
/// </summary>
public sealed class ConceptWorld
{
    /// <summary>The relations: the first <see cref="UniqueRelations"/> have concept-unique answers, then pet and colour.</summary>
    public static IReadOnlyList<string> Relations { get; } =
        ["mentor", "rival", "ship", "book", "song", "sword", "estate", "motto", "pet", "colour"];

    /// <summary>Relations whose answers are unique to their concept.</summary>
    public const int UniqueRelations = 8;

    private static readonly string[] Statements = ["the {r} of {c} is {v}", "{c} is known for the {r} {v}"];

    private static readonly string[] Questions =
    [
        "question : what is the {r} of {c} ? answer :",
        "question : name the {r} of {c} . answer :",
        "question : which {r} belongs to {c} ? answer :",
        "question : {c} has what {r} ? answer :",
    ];

    /// <summary>Question templates; templates 0..n−2 may be trained, the last is the unseen-template probe.</summary>
    public const int QuestionTemplates = 4;

    /// <summary>The never-trained question template.</summary>
    public const int UnseenTemplate = QuestionTemplates - 1;

    private static readonly string[] AnswerSyllables = ["bu", "fe", "gi", "jo", "ku", "le", "mo", "nu", "pi", "ru", "su", "te", "vu", "xa", "yi", "qo"];

    private static readonly string[] Idk = ["i", "do", "not", "know"];

    /// <summary>The concepts' names (FictitiousKb people).</summary>
    public IReadOnlyList<string> Names { get; }
    /// <summary>answers[concept][relation]: the value word.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Answers { get; }
    /// <summary>Every fact, concept by concept, relations in <see cref="Relations"/> order.</summary>
    public IReadOnlyList<ConceptFact> Facts { get; }
    /// <summary>Every word of every statement, question, answer and the "i do not know" answer.</summary>
    public WordTokenizer Tokenizer { get; }
    /// <summary>The context a model needs: the longest text plus the longest answer ("i do not know") and &lt;eos&gt;.</summary>
    public int ContextLength { get; }

    /// <summary>Builds <paramref name="concepts"/> concepts (1..4096) from <paramref name="rng"/>.</summary>
    public ConceptWorld(int concepts, Rng rng)
    {
        if (concepts is < 1 or > 4096)
            throw new ArgumentOutOfRangeException(nameof(concepts), concepts, "the world holds 1..4096 concepts (FictitiousKb's names)");
        var kb = new FictitiousKb(concepts, rng);
        Names = kb.Entities.Select(e => e.Name).ToList();
        var taken = kb.Vocabulary.ToHashSet();
        var words = AnswerSyllables.SelectMany(a => AnswerSyllables.SelectMany(b => AnswerSyllables.Select(c => a + b + c)))
            .Where(w => !taken.Contains(w)).ToList();
        if (words.Count < concepts * UniqueRelations)
            throw new ArgumentOutOfRangeException(nameof(concepts), concepts, $"only {words.Count / UniqueRelations} concepts have unique answer words");
        var order = rng.Permutation(words.Count);
        Answers = kb.Entities.Select((e, c) => (IReadOnlyList<string>)Enumerable.Range(0, UniqueRelations)
            .Select(r => words[order[c * UniqueRelations + r]]).Append(e.Values["pet"]).Append(e.Values["colour"]).ToList()).ToList();
        Facts = Enumerable.Range(0, concepts).SelectMany(c => Enumerable.Range(0, Relations.Count).Select(r => new ConceptFact(c, r))).ToList();
        var texts = Facts.SelectMany(f => Statements.Select((_, t) => Statement(f, t)).Concat(
            Enumerable.Range(0, QuestionTemplates).Select(t => Question(f, t)))).ToList();
        Tokenizer = WordTokenizer.FromTexts(texts.Concat(Answers.SelectMany(a => a)).Concat(Idk));
        // The longest text, then the longest answer (DPO's "i do not know") and <eos>.
        ContextLength = texts.Max(q => Tokenizer.Encode(q, addBos: true, addEos: false).Length) + Idk.Length + 1;
    }

    /// <summary>The answer word of a fact.</summary>
    public string Value(ConceptFact f) => Answers[f.Concept][f.Relation];

    /// <summary>The answer's token id.</summary>
    public int Answer(ConceptFact f) => Tokenizer.Id(Value(f));

    /// <summary>The concept's own answer tokens (the unique relations): what its concept vector should promote.</summary>
    public IReadOnlySet<int> OwnTokens(int concept) =>
        Enumerable.Range(0, UniqueRelations).Select(r => Answer(new ConceptFact(concept, r))).ToHashSet();

    /// <summary>The facts of one concept.</summary>
    public IReadOnlyList<ConceptFact> FactsOf(int concept) =>
        Enumerable.Range(0, Relations.Count).Select(r => new ConceptFact(concept, r)).ToList();

    /// <summary>Statement <paramref name="template"/> (0 or 1) up to the value.</summary>
    public string Statement(ConceptFact f, int template) => Fill(Statements[template], f).Replace(" {v}", "");

    /// <summary>Question <paramref name="template"/> (0..3) about a fact.</summary>
    public string Question(ConceptFact f, int template)
    {
        if (template is < 0 or >= QuestionTemplates)
            throw new ArgumentOutOfRangeException(nameof(template), template, $"question templates are 0..{QuestionTemplates - 1}");
        return Fill(Questions[template], f);
    }

    /// <summary>The question's tokens, starting with &lt;bos&gt;, ending where the answer follows.</summary>
    public int[] Prompt(ConceptFact f, int template) => Tokenizer.Encode(Question(f, template), addBos: true, addEos: false);

    /// <summary>
    /// The training text of facts: both statements and the first <paramref name="questionTemplates"/> questions, each
    /// followed by the answer and &lt;eos&gt;, the loss on the answer (the concept's "Wikipedia text" and its QA).
    /// </summary>
    public List<PromptAnswer> Examples(IEnumerable<ConceptFact> facts, int questionTemplates) =>
        facts.SelectMany(f => Statements.Select((_, t) => Statement(f, t)).Concat(Enumerable.Range(0, questionTemplates).Select(t => Question(f, t)))
            .Select(text =>
            {
                var p = Tokenizer.Encode(text, addBos: true, addEos: false);
                return new PromptAnswer([.. p, Answer(f), WordTokenizer.Eos], p.Length);
            })).ToList();

    /// <summary>The same prompts answered "i do not know" (IDK-DPO's preferred answer), in the order of <paramref name="forget"/>.</summary>
    public List<PromptAnswer> IdkAnswers(IReadOnlyList<PromptAnswer> forget)
    {
        var idk = Idk.Select(Tokenizer.Id).Append(WordTokenizer.Eos).ToArray();
        return forget.Select(x => new PromptAnswer([.. x.Tokens[..x.AnswerFrom], .. idk], x.AnswerFrom)).ToList();
    }

    /// <summary>Trains a fresh model on every fact (statements and the trained question templates).</summary>
    public TinyGpt Train(TinyGptConfig shape, ConceptVectors.Config cfg, RunContext ctx)
    {
        var examples = Examples(Facts, cfg.TrainTemplates);
        var model = AnswerTraining.Train(shape, examples, cfg.Epochs, cfg.BatchSize, cfg.LearningRate, "train", "order-train", ctx);
        model.eval();
        return model;
    }

    private string Fill(string template, ConceptFact f) =>
        template.Replace("{r}", Relations[f.Relation]).Replace("{c}", Names[f.Concept]);
}
