namespace Palimpsest.Core.Experiments;

/// <summary>A paper's verdict over its claims; findings count as reproduction, sanity checks never do.</summary>
public enum PaperVerdict
{
    /// <summary>Every finding and every control passes.</summary>
    Reproduced,
    /// <summary>Some findings pass, but not every finding and control.</summary>
    Partly,
    /// <summary>No finding passes, and every finding was tested.</summary>
    NotReproduced,
    /// <summary>No finding passes, and a failed precondition left some finding or control untested.</summary>
    Untested,
    /// <summary>No finding or control was judged at this budget.</summary>
    NotChecked,
}

/// <summary>How a paper's verdict and headline follow from its claims.</summary>
public static class PaperVerdicts
{
    /// <summary>
    /// REPRODUCED when every finding and control passes; PARTLY when some findings pass; UNTESTED when none passes and a
    /// failed precondition left a finding or control untested; NOT REPRODUCED when none passes otherwise; NOT CHECKED
    /// when no finding or control was judged at this budget. Sanity checks never count.
    /// </summary>
    public static PaperVerdict Of(IReadOnlyList<ClaimSummary> claims)
    {
        var judged = claims.Where(c => c.Kind is ClaimKind.Finding or ClaimKind.Control && c.Verdict != Verdict.NotChecked).ToList();
        if (judged.Count == 0) return PaperVerdict.NotChecked;
        var findings = claims.Where(c => c.Kind == ClaimKind.Finding).ToList();
        var controls = claims.Where(c => c.Kind == ClaimKind.Control).ToList();
        if (findings.Concat(controls).All(c => c.Verdict == Verdict.Pass)) return PaperVerdict.Reproduced;
        if (findings.Any(c => c.Verdict == Verdict.Pass)) return PaperVerdict.Partly;
        return judged.Any(c => c.Verdict == Verdict.Untested) ? PaperVerdict.Untested : PaperVerdict.NotReproduced;
    }

    /// <summary>"REPRODUCED", "PARTLY", "NOT REPRODUCED", "UNTESTED", "not checked".</summary>
    public static string Mark(this PaperVerdict v) => v switch
    {
        PaperVerdict.Reproduced => "REPRODUCED",
        PaperVerdict.Partly => "PARTLY",
        PaperVerdict.NotReproduced => "NOT REPRODUCED",
        PaperVerdict.Untested => "UNTESTED",
        _ => "not checked",
    };

    /// <summary>"3 of 5 findings; preconditions 4/4; controls 2/2; sanity 1/1" (a count omitted when the paper has none
    /// of that kind; "2 untested" and "1 not checked" added where they apply).</summary>
    public static string Headline(IReadOnlyList<ClaimSummary> claims)
    {
        var parts = new List<string>();
        string Count(ClaimKind kind, string name, bool lead)
        {
            var of = claims.Where(c => c.Kind == kind).ToList();
            int pass = of.Count(c => c.Verdict == Verdict.Pass);
            int untested = of.Count(c => c.Verdict == Verdict.Untested);
            int notChecked = of.Count(c => c.Verdict == Verdict.NotChecked);
            string text = lead ? $"{pass} of {of.Count} {name}" : $"{name} {pass}/{of.Count}";
            var extra = new List<string>();
            if (untested > 0) extra.Add($"{untested} untested");
            if (notChecked > 0) extra.Add($"{notChecked} not checked");
            return extra.Count == 0 ? text : $"{text} ({string.Join(", ", extra)})";
        }
        parts.Add(Count(ClaimKind.Finding, "findings", lead: true));
        foreach (var (kind, name) in new[] { (ClaimKind.Precondition, "preconditions"), (ClaimKind.Control, "controls"), (ClaimKind.Sanity, "sanity") })
            if (claims.Any(c => c.Kind == kind)) parts.Add(Count(kind, name, lead: false));
        return string.Join("; ", parts);
    }
}
