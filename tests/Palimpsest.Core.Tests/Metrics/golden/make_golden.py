#!/usr/bin/env python3
"""Golden values for tests/Palimpsest.Core.Tests/Metrics/*Tests.cs.

Regenerate (Debian 12: scipy 1.10.1, scikit-learn 1.2.1, numpy 1.24.2):
    apt-get install python3-scipy python3-sklearn
    /usr/bin/python3 tests/Palimpsest.Core.Tests/Metrics/golden/make_golden.py
and paste each printed block over the block of the same name ("// golden: <Class>") in the matching test file.
The inputs below are copied verbatim into the tests; change them in both places or not at all.
Bootstrap tests have no golden values (our Rng differs from numpy's); they assert properties instead.
"""
import itertools

import numpy as np
from scipy import optimize, stats
from sklearn.metrics import roc_auc_score, roc_curve


def c(v):
    """A double as a C# literal that round-trips."""
    if np.isposinf(v):
        return "double.PositiveInfinity"
    return repr(float(v))


def arr(vs):
    return "[" + ", ".join(c(v) for v in vs) + "]"


# ---- Correlation -----------------------------------------------------------------------------------------------
# Ties in both variables (x: 2.4 twice, 5.0 three times; y: 3.5 twice, 5.5 twice).
X = [1.2, 2.4, 2.4, 3.1, 4.8, 5.0, 5.0, 5.0, 6.3, 7.7, 8.1, 9.4]
Y = [2.0, 1.9, 3.5, 3.5, 4.1, 6.2, 5.5, 5.5, 7.0, 6.8, 9.9, 8.8]
# A weak negative association, so one-sided and two-sided p differ visibly.
U = [0.3, 1.1, 1.9, 2.2, 2.8, 3.5, 4.0, 4.4, 5.1, 5.9]
V = [2.5, 2.9, 1.0, 2.2, 2.2, 0.4, 1.7, 0.9, 2.2, 0.1]

print("// golden: CorrelationTests")
print(f"private static readonly double[] Ranks_X_Expected = {arr(stats.rankdata(X))};")
for name, (a, b) in {"XY": (X, Y), "UV": (U, V)}.items():
    pr = stats.pearsonr(a, b)
    print(f"private const double Pearson_{name}_R = {c(pr.statistic)};")
    print(f"private const double Pearson_{name}_P = {c(pr.pvalue)};")
    print(f"private const double Pearson_{name}_PLess = {c(stats.pearsonr(a, b, alternative='less').pvalue)};")
    sr = stats.spearmanr(a, b)
    print(f"private const double Spearman_{name}_Rho = {c(sr.correlation)};")
    print(f"private const double Spearman_{name}_P = {c(sr.pvalue)};")
    print(f"private const double Spearman_{name}_PLess = {c(stats.spearmanr(a, b, alternative='less').pvalue)};")
    print(f"private const double Spearman_{name}_PGreater = {c(stats.spearmanr(a, b, alternative='greater').pvalue)};")

# Exact permutation p-values of Spearman's rho on the first 8 pairs of (U, V): all 8! pairings, same tolerance
# rule as Correlation.SpearmanPermutation (|rho'| >= |rho| - 1e-12 * max(1, |rho|)). The tests compare a
# 20,000-permutation Monte Carlo estimate with these, within a few standard errors.
W, Z = U[:8], V[:8]
rw, rz = stats.rankdata(W), stats.rankdata(Z)
rho8 = stats.spearmanr(W, Z).correlation
perms = np.array(list(itertools.permutations(range(8))))
wc = rw - rw.mean()
zc = rz - rz.mean()
rhos = (zc[perms] @ wc) / np.sqrt((wc @ wc) * (zc @ zc))
tol = 1e-12 * max(1.0, abs(rho8))
print(f"private const double Permutation8_Rho = {c(rho8)};")
print(f"private const double Permutation8_ExactP = {c(np.mean(np.abs(rhos) >= abs(rho8) - tol))};")
print(f"private const double Permutation8_ExactPLess = {c(np.mean(rhos <= rho8 + tol))};")

# ---- BinomialTest ----------------------------------------------------------------------------------------------
CASES = [(7, 20, 0.5), (3, 10, 0.1), (15, 20, 0.3), (0, 10, 0.2), (10, 10, 0.5), (2, 50, 0.3),
         (45, 100, 0.5), (6, 9, 0.7), (2, 10, 0.25), (100, 400, 0.2),
         (1, 5, 0.0), (0, 5, 0.0), (4, 5, 1.0), (3, 1000, 0.01)]
print("// golden: BinomialTestTests")
print("public static TheoryData<int, int, double, double, double, double> Cases => new()")
print("{")
print("    // k, n, p0, greater, less, two-sided")
for k, n, p in CASES:
    g = stats.binomtest(k, n, p, alternative='greater').pvalue
    l = stats.binomtest(k, n, p, alternative='less').pvalue
    t = stats.binomtest(k, n, p, alternative='two-sided').pvalue
    print(f"    {{ {k}, {n}, {c(p)}, {c(g)}, {c(l)}, {c(t)} }},")
print("};")

# ---- Roc -------------------------------------------------------------------------------------------------------
S = [0.9, 0.8, 0.8, 0.7, 0.6, 0.6, 0.6, 0.5, 0.4, 0.3, 0.3, 0.1]
L = [1, 1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]
fpr, tpr, thr = roc_curve(L, S, drop_intermediate=False)
print("// golden: RocTests")
print(f"private const double Auc_S_L = {c(roc_auc_score(L, S))};")
print(f"private static readonly double[] Curve_Fpr = {arr(fpr)};")
print(f"private static readonly double[] Curve_Tpr = {arr(tpr)};")
print(f"private static readonly double[] Curve_Thresholds_AfterFirst = {arr(thr[1:])};")

# ---- Bootstrap.MeanWithTInterval -------------------------------------------------------------------------------
M = [0.61, 0.64, 0.58, 0.70, 0.66]


def t_interval(level, values):
    """As stats.t.interval(level, n - 1, loc=mean, scale=sem), but with the t quantile solved from t.cdf:
    scipy 1.10's t.ppf(0.95, 4) is off by 5e-9 (its own cdf gives 0.9499999997 there)."""
    q = optimize.brentq(lambda t: stats.t.cdf(t, len(values) - 1) - (1 + level) / 2, 0, 100, xtol=1e-15, rtol=1e-15)
    half = q * stats.sem(values)
    return np.mean(values) - half, np.mean(values) + half


lo, hi = t_interval(0.95, M)
lo90, hi90 = t_interval(0.90, M)
print("// golden: BootstrapTests")
print(f"private const double TInterval_Mean = {c(np.mean(M))};")
print(f"private const double TInterval_Lower95 = {c(lo)};")
print(f"private const double TInterval_Upper95 = {c(hi)};")
print(f"private const double TInterval_Lower90 = {c(lo90)};")
print(f"private const double TInterval_Upper90 = {c(hi90)};")
