using System.Reflection;
using System.Reflection.Emit;
using System.Xml.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Palimpsest.Core.Data;

namespace Palimpsest.Core.Tests.Tensors;

/// <summary>
/// No implicit conversion to <c>TorchSharp.Scalar</c> (or from a number or array to <c>torch.Tensor</c>) in src/.
/// The object such a conversion makes (<c>t * 0.5</c>, <c>t.clamp(min: 1e-6)</c>, <c>torch.full(shape, 0.0)</c>) is
/// unreachable once its handle is read, so the finalizer thread can free it while libtorch still reads it (TorchSharp
/// PRs #1434 and #1496): a crash in c10's Scalar::toFloat, "Expected false to be true", in s3t-exact-unlearning. The
/// test compiles every project under src/ with Roslyn and lists each such conversion, and each TorchSharp optimizer
/// (whose step makes such Scalars inside; <c>AdamOptimizer</c> replaces them).
/// </summary>
public sealed class ImplicitScalarTests
{
    private const string Fix =
        "Hold the Scalar while the call runs: Scalars.Of(0.5) (Palimpsest.Core.Tensors, cached and never freed) for a "
        + "constant or a value fixed for a run; `using var s = x.ToScalar();` around the call for a value that changes "
        + "every step; or a field disposed with its module (LoraLinear). Keep the C# type of the value (2 stays an int "
        + "Scalar, 2.0 a double one), so the numbers do not change.";

    private const string OptimizerFix =
        "TorchSharp's optimizers make Scalars implicitly on every step (exp_avg.mul_(beta1), addcdiv_(..., value: "
        + "-step_size)). Use Palimpsest.Core.Training.AdamOptimizer.Adam or .AdamW, which do the same operations "
        + "bit for bit with held Scalars (AdamOptimizerTests); for another optimizer, write one the same way.";

    // src/ compiled once for the tests below.
    private static readonly Lazy<List<CSharpCompilation>> Src = new(CompileSrc);

    [Fact]
    public void NoImplicitScalarInSrc()
    {
        var compilations = Src.Value;
        var errors = compilations.SelectMany(c => c.GetDiagnostics())
            .Where(d => d.Severity == DiagnosticSeverity.Error && !IsMissingGeneratedPart(d))
            .Select(d => d.ToString()).ToList();
        Assert.True(errors.Count == 0,
            "src/ does not compile here, so conversions may be hidden:\n" + string.Join("\n", errors.Take(30)));

        var root = RepoPaths.Root;
        var sites = compilations.SelectMany(ImplicitScalarFinder.Find).ToList();
        Assert.True(sites.Count == 0,
            $"{sites.Count} implicit conversions to a native TorchSharp object that nothing holds:\n"
            + string.Join("\n", sites.Select(s => s.Describe(root))) + "\n" + Fix);
    }

    [Fact]
    public void NoTorchSharpOptimizerInSrc()
    {
        var root = RepoPaths.Root;
        var sites = Src.Value.SelectMany(ImplicitScalarFinder.FindOptimizers).ToList();
        Assert.True(sites.Count == 0,
            $"{sites.Count} TorchSharp optimizers in src/:\n" + string.Join("\n", sites.Select(s => s.Describe(root)))
            + "\n" + OptimizerFix);
    }

    [Fact]
    public void TheFinderFlagsATorchSharpOptimizer()
    {
        const string code = """
            using System.Collections.Generic;
            using TorchSharp;
            using TorchSharp.Modules;
            using static TorchSharp.torch;
            static class Snippet
            {
                static object Made(IEnumerable<Parameter> p) => optim.SGD(p, 0.1);
                static object New(IEnumerable<Parameter> p) => new AdamW(p);
                static object NotOne(Tensor t) => t.sum();
            }
            """;
        var compilation = Compilation("Snippet", [CSharpSyntaxTree.ParseText(code, Parse, path: "Snippet.cs")],
            References(), OutputKind.DynamicallyLinkedLibrary);
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));

        var sites = ImplicitScalarFinder.FindOptimizers(compilation);

        Assert.Equal([("optim.SGD(p, 0.1)", 7), ("new AdamW(p)", 8)], sites.Select(s => (s.Expression, s.Line)));
    }

    [Fact]
    public void TheFinderFlagsAnImplicitScalarAndNotAHeldOne()
    {
        const string code = """
            using TorchSharp;
            using static TorchSharp.torch;
            static class Snippet
            {
                static readonly Scalar Half = 0.5.ToScalar();
                static Tensor Implicit(Tensor t) => t * 0.5;
                static Tensor ImplicitInt(Tensor t) => t.add(t, alpha: 2);
                static Tensor Held(Tensor t) => t * Half;
                static Tensor HeldLocal(Tensor t) { using var s = 2.ToScalar(); return t.add(t, alpha: s); }
                static Tensor NotAConversion(Tensor t) => t * t;
            }
            """;
        var compilation = Compilation("Snippet", [CSharpSyntaxTree.ParseText(code, Parse, path: "Snippet.cs")],
            References(), OutputKind.DynamicallyLinkedLibrary);
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));

        var sites = ImplicitScalarFinder.Find(compilation);

        Assert.Equal([("0.5", "double", 6), ("2", "int", 7)], sites.Select(s => (s.Expression, s.From, s.Line)));
        Assert.StartsWith("TorchSharp.Scalar inside TorchSharp.torch.Tensor.op_Multiply", sites[0].To);
        Assert.Equal("TorchSharp.Scalar", sites[1].To);
    }

    /// <summary>
    /// Compiles each project under src/ from its .cs files (bin/ and obj/ excluded), with the SDK's implicit usings
    /// and the csproj's output kind and unsafe flag; a project reference (direct or transitive) becomes the referenced compilation.
    /// </summary>
    private static List<CSharpCompilation> CompileSrc()
    {
        var projects = Directory.GetFiles(RepoPaths.Under("src"), "*.csproj", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal).ToList();
        var external = References();
        var done = new Dictionary<string, CSharpCompilation>(StringComparer.Ordinal);
        while (done.Count < projects.Count)
        {
            int before = done.Count;
            foreach (var project in projects.Where(p => !done.ContainsKey(p)))
            {
                var xml = XDocument.Load(project);
                var dir = Path.GetDirectoryName(project)!;
                var refs = xml.Descendants("ProjectReference")
                    .Select(r => Path.GetFullPath(Path.Combine(dir, (string)r.Attribute("Include")!))).ToList();
                if (!refs.All(done.ContainsKey)) continue;
                var trees = Directory.GetFiles(dir, "*.cs", SearchOption.AllDirectories)
                    .Where(f => !InBuildOutput(dir, f)).Order(StringComparer.Ordinal)
                    .Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), Parse, path: f))
                    .Append(CSharpSyntaxTree.ParseText(ImplicitUsings, Parse, path: "ImplicitUsings.g.cs"));
                var kind = (string?)xml.Descendants("OutputType").FirstOrDefault() == "Exe"
                    ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary;
                bool isUnsafe = (string?)xml.Descendants("AllowUnsafeBlocks").FirstOrDefault() == "true";
                var references = external.Concat(refs.SelectMany(r => done[r].References.OfType<CompilationReference>())
                    .Select(r => r.Compilation).Concat(refs.Select(r => done[r])).Distinct()
                    .Select(c => c.ToMetadataReference()));
                done[project] = Compilation(Path.GetFileNameWithoutExtension(project), trees, references, kind, isUnsafe);
            }
            Assert.True(done.Count > before, "a cycle or a reference outside src/ among the src/ projects");
        }
        return [.. done.Values];
    }

    private static readonly CSharpParseOptions Parse = new(LanguageVersion.Latest);

    // Microsoft.NET.Sdk's <ImplicitUsings>enable</ImplicitUsings> (Directory.Build.props).
    private const string ImplicitUsings = """
        global using global::System;
        global using global::System.Collections.Generic;
        global using global::System.IO;
        global using global::System.Linq;
        global using global::System.Net.Http;
        global using global::System.Threading;
        global using global::System.Threading.Tasks;
        """;

    private static CSharpCompilation Compilation(string name, IEnumerable<SyntaxTree> trees,
        IEnumerable<MetadataReference> references, OutputKind kind, bool isUnsafe = false) =>
        CSharpCompilation.Create(name, trees, references, new CSharpCompilationOptions(kind,
            nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: isUnsafe));

    private static bool InBuildOutput(string projectDir, string file)
    {
        var first = Path.GetRelativePath(projectDir, file).Split(Path.DirectorySeparatorChar)[0];
        return first is "bin" or "obj";
    }

    // [GeneratedRegex] partial methods get their bodies from the SDK's regex generator, which this compilation does
    // not run (CS8795: partial member must have an implementation part). A regex holds no Scalar.
    private static bool IsMissingGeneratedPart(Diagnostic d) => d.Id == "CS8795";

    /// <summary>
    /// The framework's assemblies and those beside this test (TorchSharp, Plotly.NET, Microsoft.Data.Analysis,
    /// MathNet.Numerics, ...), but not Palimpsest's own: those are compiled from source.
    /// </summary>
    private static List<MetadataReference> References()
    {
        var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var beside = Directory.GetFiles(AppContext.BaseDirectory, "*.dll");
        return platform.Concat(beside)
            .Where(IsManagedAssembly)
            .Where(f => !Path.GetFileName(f).StartsWith("Palimpsest.", StringComparison.Ordinal))
            .DistinctBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase)
            .Select(f => (MetadataReference)MetadataReference.CreateFromFile(f)).ToList();
    }

    private static bool IsManagedAssembly(string file)
    {
        try
        {
            System.Reflection.AssemblyName.GetAssemblyName(file);
            return true;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }
}

/// <summary>
/// Finds where a number or array becomes a <c>TorchSharp.Scalar</c> (or a <c>torch.Tensor</c>) that nothing holds:
/// a user-defined implicit conversion in our code (<c>t.clamp(min: 1e-6)</c>), or a value passed to a TorchSharp
/// member that converts it inside, unheld (<c>t * 0.5</c> calls <c>operator *(Tensor, double)</c>, whose body is
/// <c>left.mul(right)</c> with an implicit Scalar in TorchSharp 0.107). Those members are found by reading TorchSharp's
/// IL, so a TorchSharp update that holds its Scalars (TorchSharp PR #1434) clears them here.
/// </summary>
internal static class ImplicitScalarFinder
{
    /// <summary>One site: where, the expression, the C# type converted from, and what it becomes (and through which member).</summary>
    public sealed record Site(string File, int Line, string Expression, string From, string To)
    {
        public string Describe(string root) =>
            $"  {Path.GetRelativePath(root, File).Replace('\\', '/')}:{Line}: {Expression}  ({From} -> {To})";

        /// <summary>The file and the expression, without the line number.</summary>
        public string Place(string root) => $"{Path.GetRelativePath(root, File).Replace('\\', '/')}: {Expression}";
    }

    public static List<Site> Find(Compilation compilation)
    {
        var sites = new List<Site>();
        foreach (var tree in compilation.SyntaxTrees)
        {
            var model = compilation.GetSemanticModel(tree);
            foreach (var node in tree.GetRoot().DescendantNodes())
            {
                if (node is ExpressionSyntax expression && ConvertedHere(model, expression) is { } site)
                    sites.Add(site);
                if (node is InvocationExpressionSyntax or BinaryExpressionSyntax or AssignmentExpressionSyntax
                    or BaseObjectCreationExpressionSyntax or PrefixUnaryExpressionSyntax)
                    sites.AddRange(ConvertedInside(model, node));
            }
        }
        return [.. sites.OrderBy(s => s.File, StringComparer.Ordinal).ThenBy(s => s.Line)];
    }

    /// <summary>Each TorchSharp optimizer made in the compilation (by a factory such as <c>optim.Adam</c> or <c>new</c>).</summary>
    public static List<Site> FindOptimizers(Compilation compilation)
    {
        var sites = new List<Site>();
        foreach (var tree in compilation.SyntaxTrees)
        {
            var model = compilation.GetSemanticModel(tree);
            foreach (var node in tree.GetRoot().DescendantNodes())
            {
                var made = model.GetOperation(node) switch
                {
                    IInvocationOperation i when i.TargetMethod.ContainingAssembly?.Name == "TorchSharp" => i.Type,
                    IObjectCreationOperation c when c.Type?.ContainingAssembly?.Name == "TorchSharp" => c.Type,
                    _ => null,
                };
                if (made is not null && IsOptimizer(made))
                    sites.Add(At(node, node.ToString(), made.ToDisplayString(), "a TorchSharp optimizer"));
            }
        }
        return [.. sites.OrderBy(s => s.File, StringComparer.Ordinal).ThenBy(s => s.Line)];
    }

    private static bool IsOptimizer(ITypeSymbol type)
    {
        for (var t = type; t is not null; t = t.BaseType)
            if (t.ToDisplayString() == "TorchSharp.torch.optim.Optimizer") return true;
        return false;
    }

    private static Site? ConvertedHere(SemanticModel model, ExpressionSyntax expression)
    {
        // A parenthesised value converts as a whole: report it once, with its outermost parentheses.
        if (expression is ParenthesizedExpressionSyntax) return null;
        // In `LanguageModel.IgnoreIndex` the name converts with the whole member access: report the access only.
        if (expression.Parent is MemberAccessExpressionSyntax access && access.Name == expression) return null;
        var outer = expression;
        while (outer.Parent is ParenthesizedExpressionSyntax p) outer = p;
        var conversion = model.GetConversion(outer);
        if (!conversion.IsUserDefined) conversion = model.GetConversion(expression);
        if (!conversion.IsUserDefined || !conversion.IsImplicit || conversion.MethodSymbol is not { } method) return null;
        var to = method.ReturnType;
        var from = method.Parameters[0].Type;
        if (!IsScalar(to) && !(IsTensor(to) && IsPlainValue(from))) return null;
        return At(outer, outer.ToString(), from.ToDisplayString(), to.ToDisplayString());
    }

    /// <summary>Plain values passed to a TorchSharp member that turns them into a Scalar it does not hold.</summary>
    private static IEnumerable<Site> ConvertedInside(SemanticModel model, SyntaxNode node)
    {
        var (method, arguments) = model.GetOperation(node) switch
        {
            IInvocationOperation i => (i.TargetMethod, i.Arguments.Select(a => (a.Parameter, a.Value, a.ArgumentKind))),
            IObjectCreationOperation c when c.Constructor is { } ctor =>
                (ctor, c.Arguments.Select(a => (a.Parameter, a.Value, a.ArgumentKind))),
            IBinaryOperation { OperatorMethod: { } op } b => (op, Operands(op, b.LeftOperand, b.RightOperand)),
            ICompoundAssignmentOperation { OperatorMethod: { } op } c => (op, Operands(op, c.Target, c.Value)),
            IUnaryOperation { OperatorMethod: { } op } u => (op, Operands(op, u.Operand)),
            _ => (null!, []),
        };
        if (method is null) yield break;
        var converted = TorchSharpIl.ParametersMadeUnheldScalars(method);
        foreach (var (parameter, value, kind) in arguments)
        {
            if (parameter is null || !converted.Contains(parameter.Name)) continue;
            var expression = kind == ArgumentKind.DefaultValue ? $"{parameter.Name}: (default)" : value.Syntax.ToString();
            var syntax = kind == ArgumentKind.DefaultValue ? node : value.Syntax;
            yield return At(syntax, expression, parameter.Type.ToDisplayString(),
                $"TorchSharp.Scalar inside {method.ContainingType.ToDisplayString()}.{method.Name}");
        }
    }

    private static IEnumerable<(IParameterSymbol?, IOperation, ArgumentKind)> Operands(IMethodSymbol op,
        params IOperation[] operands) =>
        operands.Select((o, i) => ((IParameterSymbol?)op.Parameters[i], o, ArgumentKind.Explicit));

    private static Site At(SyntaxNode syntax, string expression, string from, string to)
    {
        var span = syntax.GetLocation().GetLineSpan();
        return new Site(span.Path, span.StartLinePosition.Line + 1, expression, from, to);
    }

    private static bool IsScalar(ITypeSymbol type) => type.ToDisplayString() == "TorchSharp.Scalar";

    private static bool IsTensor(ITypeSymbol type) => type.ToDisplayString() == "TorchSharp.torch.Tensor";

    private static bool IsPlainValue(ITypeSymbol type) =>
        type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable
            ? IsPlainValue(nullable.TypeArguments[0])
            : type.SpecialType is >= SpecialType.System_Boolean and <= SpecialType.System_Double
              || type is IArrayTypeSymbol
              || type.ToDisplayString() is "System.Numerics.Complex" or "System.Half";
}

/// <summary>
/// The parameters of TorchSharp members that become a Scalar the member does not hold: in the IL, the argument is
/// loaded just before an implicit conversion to Scalar (or a <c>ToScalar</c> in a method with no <c>using</c>), or is
/// passed on to such a parameter of the same name and type in another TorchSharp member.
/// </summary>
internal static class TorchSharpIl
{
    private static readonly Lazy<Dictionary<string, HashSet<string>>> Unheld = new(FindUnheld);

    public static IReadOnlySet<string> ParametersMadeUnheldScalars(IMethodSymbol method)
    {
        var definition = (method.ReducedFrom ?? method).OriginalDefinition;
        return definition.ContainingAssembly?.Name == "TorchSharp"
               && Unheld.Value.TryGetValue(Key(definition), out var names) ? names : new HashSet<string>();
    }

    private static Dictionary<string, HashSet<string>> FindUnheld()
    {
        var assembly = typeof(TorchSharp.Scalar).Assembly;
        var methods = assembly.GetTypes()
            .SelectMany(t => t.GetMembers(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance
                                          | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .OfType<MethodBase>().Where(m => m.GetMethodBody() is not null).ToList();
        var unheld = new Dictionary<MethodBase, HashSet<string>>();
        var callers = new Dictionary<MethodBase, List<MethodBase>>();
        foreach (var method in methods)
        {
            var body = method.GetMethodBody()!;
            bool hasFinally = body.ExceptionHandlingClauses.Any(c => c.Flags == ExceptionHandlingClauseOptions.Finally);
            foreach (var (callee, lastArgument) in Calls(method, body.GetILAsByteArray()!))
            {
                bool toScalar = callee is MethodInfo info && info.ReturnType == typeof(TorchSharp.Scalar)
                    && callee.IsStatic && (callee.Name == "op_Implicit" || (callee.Name == "ToScalar" && !hasFinally));
                if (toScalar && lastArgument is { } p && IsPlainValue(p.ParameterType))
                    (unheld.TryGetValue(method, out var set) ? set : unheld[method] = []).Add(p.Name!);
                else if (!toScalar && callee.Module == assembly.ManifestModule)
                    (callers.TryGetValue(callee, out var list) ? list : callers[callee] = []).Add(method);
            }
        }
        var queue = new Queue<MethodBase>(unheld.Keys);
        while (queue.TryDequeue(out var callee))
            foreach (var caller in callers.GetValueOrDefault(callee, []))
            {
                var passedOn = caller.GetParameters().Where(p => IsPlainValue(p.ParameterType)
                    && callee.GetParameters().Any(q => q.Name == p.Name && q.ParameterType == p.ParameterType
                                                       && unheld[callee].Contains(q.Name!)))
                    .Select(p => p.Name!).ToList();
                var set = unheld.TryGetValue(caller, out var s) ? s : [];
                int before = set.Count;
                set.UnionWith(passedOn);
                if (set.Count > before)
                {
                    unheld[caller] = set;
                    queue.Enqueue(caller);
                }
            }
        return unheld.ToDictionary(kv => Key(kv.Key), kv => kv.Value);
    }

    private static bool IsPlainValue(Type t) =>
        (Nullable.GetUnderlyingType(t) ?? t) is var v && (v.IsPrimitive || v == typeof(System.Numerics.Complex));

    private static readonly Dictionary<short, OperandType> Operands = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value, o => o.OperandType);

    /// <summary>Each method the IL calls, with the parameter last loaded (ldarg, ldarga) before the call.</summary>
    private static IEnumerable<(MethodBase Callee, ParameterInfo? LastArgument)> Calls(MethodBase method, byte[] il)
    {
        var parameters = method.GetParameters();
        int offset = method.IsStatic ? 0 : 1;   // ldarg.0 is `this` in an instance method
        ParameterInfo? last = null;
        for (int i = 0; i < il.Length;)
        {
            short code = il[i] == 0xFE ? unchecked((short)(0xFE00 | il[i + 1])) : il[i];
            i += il[i] == 0xFE ? 2 : 1;
            var operand = Operands[code];
            int? argument = code switch
            {
                >= 0x02 and <= 0x05 => code - 0x02,                       // ldarg.0-3
                0x0E or 0x0F => il[i],                                    // ldarg.s, ldarga.s
                unchecked((short)0xFE09) or unchecked((short)0xFE0A) => BitConverter.ToUInt16(il, i),  // ldarg, ldarga
                _ => null,
            };
            if (argument is { } a) last = a - offset is var k && k >= 0 && k < parameters.Length ? parameters[k] : null;
            if (operand == OperandType.InlineMethod)
            {
                MethodBase? callee = null;
                try
                {
                    callee = method.Module.ResolveMethod(BitConverter.ToInt32(il, i),
                        method.DeclaringType?.IsGenericType == true ? method.DeclaringType.GetGenericArguments() : null,
                        method.IsGenericMethod ? method.GetGenericArguments() : null);
                }
                catch (ArgumentException) { }
                if (callee is MethodInfo { IsGenericMethod: true } generic) callee = generic.GetGenericMethodDefinition();
                if (callee is not null) yield return (callee, last);
            }
            i += operand switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, i),
                _ => 4,
            };
        }
    }

    // A member's identity across Roslyn and reflection: declaring type, name and parameter types, by metadata name.
    private static string Key(MethodBase m) =>
        $"{TypeName(m.DeclaringType!)}::{m.Name}({string.Join(",", m.GetParameters().Select(p => TypeName(p.ParameterType)))})";

    private static string Key(IMethodSymbol m) =>
        $"{TypeName(m.ContainingType)}::{m.MetadataName}({string.Join(",", m.Parameters.Select(p => TypeName(p.Type)))})";

    private static string TypeName(Type t) =>
        t.IsByRef || t.IsPointer ? TypeName(t.GetElementType()!)
        : t.IsArray ? TypeName(t.GetElementType()!) + "[]"
        : t.IsGenericParameter ? t.Name
        : (t.DeclaringType is { } outer ? TypeName(outer) + "+" : t.Namespace + ".")
          + t.Name + (t.IsGenericType && !t.IsGenericTypeDefinition
              ? "[" + string.Join(",", t.GetGenericArguments().Select(TypeName)) + "]" : "");

    private static string TypeName(ITypeSymbol t) => t switch
    {
        IArrayTypeSymbol a => TypeName(a.ElementType) + "[]",
        IPointerTypeSymbol p => TypeName(p.PointedAtType),
        ITypeParameterSymbol => t.Name,
        INamedTypeSymbol n => (n.ContainingType is { } outer ? TypeName(outer) + "+" : n.ContainingNamespace.ToDisplayString() + ".")
            + n.MetadataName + (n.IsGenericType && !SymbolEqualityComparer.Default.Equals(n, n.OriginalDefinition)
                ? "[" + string.Join(",", n.TypeArguments.Select(TypeName)) + "]" : ""),
        _ => t.ToDisplayString(),
    };
}
