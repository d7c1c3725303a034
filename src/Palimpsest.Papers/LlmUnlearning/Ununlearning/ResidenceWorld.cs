using Palimpsest.Core.Data;
using Palimpsest.Core.Randomness;
using Palimpsest.Core.Text;

namespace Palimpsest.Papers.LlmUnlearning;

/// <summary>A training or test document: a prompt and the answer that follows it (training puts the loss on the answer only).</summary>
public sealed record Document(string Prompt, string Answer)
{
    /// <summary>Prompt and answer as one text.</summary>
    public string Text => $"{Prompt} {Answer}";
}

/// <summary>
/// The toy world of <see cref="Ununlearning"/>: people of a <see cref="FictitiousKb"/> live in its 16 towns, and each
/// town lies in one of four countries (a fixed map, the same for every seed). The forbidden knowledge K is the home
/// towns of a few target people. Besides closed-book facts, the world writes in-context documents ("context : A lives
/// in T . B lives in U . question : which country does B live in ? answer : C"), mostly about fresh names with random
/// towns, so that reading a town from the context and composing it with the parametric town → country map is a
/// general skill; documents about fresh names only (no knowledge-base person) carry no trace of K and serve the
/// curriculum that both models share. The content filter and the exact-unlearning oracle share one pattern: a text that
/// names a target together with any town or country.
/// </summary>
public sealed class ResidenceWorld
{
    /// <summary>The countries; town i lies in country i mod 4.</summary>
    public static IReadOnlyList<string> Countries { get; } = ["northland", "southland", "eastland", "westland"];

    /// <summary>The towns (those of <see cref="FictitiousKb"/>).</summary>
    public static IReadOnlyList<string> Towns { get; } = FictitiousKb.ValuesOf("town");

    /// <summary>Lines of context per in-context training document: 2 to this many.</summary>
    public const int MaxContextLines = 4;

    /// <summary>The people of the knowledge base (the first ones of the <see cref="FictitiousKb"/>).</summary>
    public IReadOnlyList<Entity> People { get; }

    /// <summary>The target people, whose home towns are the forbidden knowledge K.</summary>
    public IReadOnlyList<Entity> Targets { get; }

    /// <summary>Names that only ever appear in contexts, each time with a random town.</summary>
    public IReadOnlyList<string> FreshNames { get; }

    /// <summary>Every word the world can write.</summary>
    public IReadOnlyList<string> Vocabulary { get; }

    private readonly HashSet<string> _targetNames;
    private readonly HashSet<string> _places;

    /// <summary>
    /// Builds <paramref name="people"/> people (values from <paramref name="rng"/>) and <paramref name="freshNames"/>
    /// fresh names, and picks <paramref name="targets"/> targets balanced over countries (at most ⌈targets / 4⌉ per
    /// country) and towns (at most ⌈targets / 16⌉ per town), so that a model answering one country for every target scores
    /// exactly chance.
    /// </summary>
    public ResidenceWorld(int people, int targets, int freshNames, Rng rng)
    {
        if (targets < 1 || targets >= people)
            throw new ArgumentException($"targets {targets} must be in 1..{people - 1}, leaving retained people");
        if (people + freshNames > 4096)
            throw new ArgumentException($"people {people} + fresh names {freshNames} exceed the 4096 names of the knowledge base");
        var kb = new FictitiousKb(people + freshNames, rng);
        People = kb.Entities.Take(people).ToList();
        FreshNames = kb.Entities.Skip(people).Select(e => e.Name).ToList();
        int perCountry = (targets + Countries.Count - 1) / Countries.Count, perTown = (targets + Towns.Count - 1) / Towns.Count;
        var chosen = new List<Entity>();
        foreach (var e in People)
        {
            string town = e.Values["town"];
            if (chosen.Count < targets && chosen.Count(c => CountryOf(c.Values["town"]) == CountryOf(town)) < perCountry
                && chosen.Count(c => c.Values["town"] == town) < perTown)
                chosen.Add(e);
        }
        if (chosen.Count < targets)
            throw new ArgumentException($"only {chosen.Count} of {targets} balanced targets among {people} people; add people");
        Targets = chosen;
        _targetNames = Targets.Select(e => e.Name).ToHashSet();
        _places = Towns.Concat(Countries).ToHashSet();
        var frames = new[]
        {
            InContext([Line("x", "y")], CountryQuestion("x", "y")).Text, TownQuestion("x", "y").Text,
            JobStatement("x", "y").Text, TownCountryQuestion("x", "y").Text, TownCountryStatement("x", "y").Text,
        };
        Vocabulary = frames.SelectMany(WordTokenizer.Split).Where(w => w is not ("x" or "y"))
            .Concat(kb.Entities.Select(e => e.Name)).Concat(Towns).Concat(Countries).Concat(FictitiousKb.ValuesOf("job"))
            .Distinct().ToList();
    }

    /// <summary>The country a town lies in (the parametric fact the composition needs).</summary>
    public static string CountryOf(string town)
    {
        int i = Towns.ToList().IndexOf(town);
        return i >= 0 ? Countries[i % Countries.Count] : throw new ArgumentException($"unknown town '{town}'");
    }

    /// <summary>A context line, which is also the closed-book statement of a home town.</summary>
    public static string Line(string name, string town) => $"{name} lives in {town} .";

    /// <summary>"X lives in" → "T ." (a statement trained on its value).</summary>
    public static Document TownStatement(string name, string town) => new($"{name} lives in", $"{town} .");

    /// <summary>"question : where does X live ? answer :" → town.</summary>
    public static Document TownQuestion(string name, string town) => new($"question : where does {name} live ? answer :", town);

    /// <summary>"question : which country does X live in ? answer :" → country (the K-dependent query).</summary>
    public static Document CountryQuestion(string name, string country) =>
        new($"question : which country does {name} live in ? answer :", country);

    /// <summary>"X works as a" → "J ." (a fact that keeps every person's name in the training data).</summary>
    public static Document JobStatement(string name, string job) => new($"{name} works as a", $"{job} .");

    /// <summary>"T is in country" → "C .".</summary>
    public static Document TownCountryStatement(string town, string country) => new($"{town} is in country", $"{country} .");

    /// <summary>"question : which country is T in ? answer :" → C.</summary>
    public static Document TownCountryQuestion(string town, string country) =>
        new($"question : which country is {town} in ? answer :", country);

    /// <summary>A question asked after context lines.</summary>
    public static Document InContext(IEnumerable<string> lines, Document question) =>
        new($"context : {string.Join(' ', lines)} {question.Prompt}", question.Answer);

    /// <summary>
    /// One epoch of closed-book documents: every person's town (statement and question), country and job, and every
    /// town's country (statement and question).
    /// </summary>
    public IReadOnlyList<Document> ClosedBook()
    {
        var docs = new List<Document>();
        foreach (var e in People)
        {
            string town = e.Values["town"];
            docs.Add(TownStatement(e.Name, town));
            docs.Add(TownQuestion(e.Name, town));
            docs.Add(CountryQuestion(e.Name, CountryOf(town)));
            docs.Add(JobStatement(e.Name, e.Values["job"]));
        }
        foreach (var town in Towns)
        {
            docs.Add(TownCountryStatement(town, CountryOf(town)));
            docs.Add(TownCountryQuestion(town, CountryOf(town)));
        }
        return docs;
    }

    /// <summary>The share of in-context questions that ask a country (the rest ask the town itself).</summary>
    public const double CountryShare = 0.75;

    /// <summary>
    /// In-context documents: 2–4 lines about distinct people, each a knowledge-base person (with the true town) with
    /// probability <paramref name="peopleShare"/>, else a fresh name with a random town; then a question about one of
    /// them, its country (with probability <paramref name="countryShare"/>) or its town. With no people, the documents
    /// name no knowledge-base person: the curriculum's direct reading (<paramref name="countryShare"/> 0, the answer is
    /// the town read from the context) and composing.
    /// </summary>
    public IReadOnlyList<Document> InContextDocuments(int count, double peopleShare, double countryShare, Rng rng)
    {
        var docs = new List<Document>(count);
        for (int i = 0; i < count; i++)
        {
            int n = rng.NextInt(2, MaxContextLines + 1);
            var lines = new List<(string Name, string Town)>();
            while (lines.Count < n)
            {
                (string Name, string Town) line;
                if (rng.NextBool(peopleShare))
                {
                    var person = rng.Pick(People);
                    line = (person.Name, person.Values["town"]);
                }
                else line = (rng.Pick(FreshNames), rng.Pick(Towns));
                if (lines.All(l => l.Name != line.Name)) lines.Add(line);
            }
            var asked = lines[rng.NextInt(n)];
            var question = rng.NextBool(countryShare)
                ? CountryQuestion(asked.Name, CountryOf(asked.Town)) : TownQuestion(asked.Name, asked.Town);
            docs.Add(InContext(lines.Select(l => Line(l.Name, l.Town)), question));
        }
        return docs;
    }

    /// <summary>
    /// The forbidden pattern: <paramref name="text"/> names a target together with a town or a country, i.e. it states
    /// K or a consequence of K. The oracle drops every training document that matches; the content filter drops every
    /// context line that matches.
    /// </summary>
    public bool MentionsForbidden(string text)
    {
        var words = WordTokenizer.Split(text).ToList();
        return words.Any(_targetNames.Contains) && words.Any(_places.Contains);
    }

    /// <summary>The content filter: the context lines that do not match the forbidden pattern.</summary>
    public IReadOnlyList<string> Filter(IEnumerable<string> lines) => lines.Where(l => !MentionsForbidden(l)).ToList();
}
