using Palimpsest.Core.Randomness;

namespace Palimpsest.Papers.LlmUnlearning;

/// <summary>
/// The test items of <see cref="Ununlearning"/>, shared by every model it scores: K-dependent queries about the
/// targets (closed-book, with K in context, and after the content filter), then checks on everyone else.
/// </summary>
/// <param name="Country">Per target: its country, closed-book (the K-dependent query).</param>
/// <param name="Town">Per target: its town, closed-book.</param>
/// <param name="InContext">Per prompt: a target's country with its line among two distractor lines.</param>
/// <param name="Filtered">The same prompts after the content filter.</param>
/// <param name="PromptTarget">Per in-context prompt: the index of its target.</param>
/// <param name="NameBlind">Per in-context prompt: the share of its lines whose town lies in the target's country (the
/// expected accuracy of a reader that ignores the asked name).</param>
/// <param name="Skill">Fresh names in context, asked the country (the in-context skill on people never seen outside
/// contexts).</param>
/// <param name="SkillTown">The same contexts, asked the town itself (direct reading, the curriculum's first
/// phase).</param>
/// <param name="Retained">Non-target people's country, closed-book.</param>
public sealed record ResidenceItems(
    IReadOnlyList<Document> Country, IReadOnlyList<Document> Town, IReadOnlyList<Document> InContext,
    IReadOnlyList<Document> Filtered, IReadOnlyList<int> PromptTarget, IReadOnlyList<double> NameBlind,
    IReadOnlyList<Document> Skill, IReadOnlyList<Document> SkillTown, IReadOnlyList<Document> Retained)
{
    /// <summary>Fresh-name lines beside a target's own line (the skill contexts have one more, so both hold
    /// three).</summary>
    public const int Distractors = 2;

    /// <summary>
    /// Draws <paramref name="promptsPerTarget"/> in-context prompts per target (its true line among
    /// <see cref="Distractors"/> fresh-name lines, shuffled), <paramref name="skillPrompts"/> skill contexts of three
    /// fresh-name lines, and the closed-book queries (at most 100 retained people).
    /// </summary>
    public static ResidenceItems Draw(ResidenceWorld world, int promptsPerTarget, int skillPrompts, Rng rng)
    {
        var country = world.Targets
            .Select(e => ResidenceWorld.CountryQuestion(e.Name, ResidenceWorld.CountryOf(e.Values["town"]))).ToList();
        var town = world.Targets.Select(e => ResidenceWorld.TownQuestion(e.Name, e.Values["town"])).ToList();
        var (inContext, filtered) = (new List<Document>(), new List<Document>());
        var (promptTarget, nameBlind) = (new List<int>(), new List<double>());
        foreach (var (e, t) in world.Targets.Select((e, t) => (e, t)))
            for (int i = 0; i < promptsPerTarget; i++)
            {
                var places = FreshLines(world, Distractors, rng).Append((e.Name, Town: e.Values["town"])).ToList();
                var lines = places.Select(d => ResidenceWorld.Line(d.Name, d.Town)).ToList();
                rng.Shuffle(lines);
                inContext.Add(ResidenceWorld.InContext(lines, country[t]));
                filtered.Add(ResidenceWorld.InContext(world.Filter(lines), country[t]));
                promptTarget.Add(t);
                nameBlind.Add(places.Count(d => ResidenceWorld.CountryOf(d.Town) == country[t].Answer)
                    / (double)places.Count);
            }
        var (skill, skillTown) = (new List<Document>(), new List<Document>());
        for (int i = 0; i < skillPrompts; i++)
        {
            var places = FreshLines(world, Distractors + 1, rng);
            var asked = places[rng.NextInt(places.Count)];
            var lines = places.Select(l => ResidenceWorld.Line(l.Name, l.Town)).ToList();
            skill.Add(ResidenceWorld.InContext(lines,
                ResidenceWorld.CountryQuestion(asked.Name, ResidenceWorld.CountryOf(asked.Town))));
            skillTown.Add(ResidenceWorld.InContext(lines, ResidenceWorld.TownQuestion(asked.Name, asked.Town)));
        }
        var retained = world.People.Except(world.Targets).Take(100)
            .Select(e => ResidenceWorld.CountryQuestion(e.Name, ResidenceWorld.CountryOf(e.Values["town"]))).ToList();
        return new(country, town, inContext, filtered, promptTarget, nameBlind, skill, skillTown, retained);
    }

    /// <summary>Distinct fresh names with random towns.</summary>
    private static List<(string Name, string Town)> FreshLines(ResidenceWorld world, int count, Rng rng)
    {
        var names = new List<string>();
        while (names.Count < count)
        {
            string name = rng.Pick(world.FreshNames);
            if (!names.Contains(name)) names.Add(name);
        }
        return names.Select(n => (n, rng.Pick(ResidenceWorld.Towns))).ToList();
    }
}
