using System.Reflection;
using System.Runtime.CompilerServices;
using Cake.Frosting;
using Pipeline.Tests.Support;

namespace Pipeline.Tests.Frosting;

/// <summary>
/// The stand-in's public surface is the package's, no more and no less: every public type and
/// member, rendered from the assembly, against the list written from the package's sources.
/// </summary>
public sealed class PublicApiTests
{
    private static readonly string ListFile = Path.Combine(RepositoryRoot.Path, "tests", "Build.Tests", "Frosting", "CakeFrosting.PublicApi.txt");

    [Test]
    public void ThePublicApiIsThePackages()
    {
        var expected = File.ReadAllLines(ListFile).Where(line => line.Length > 0 && !line.StartsWith('#')).ToList();
        var actual = Render(typeof(CakeHost).Assembly);

        var missing = expected.Except(actual).ToList();
        var extra = actual.Except(expected).ToList();
        Assert.That(missing.Concat(extra.Select(line => "EXTRA " + line)), Is.Empty,
            $"missing from the stand-in (first), then public in it but not in the package (EXTRA)");
        Assert.That(actual, Has.Count.EqualTo(expected.Count), "a line appears twice");
    }

    [Test]
    public void TheAssemblyIsNamedAsThePackage()
    {
        Assert.That(typeof(CakeHost).Assembly.GetName().Name, Is.EqualTo("Cake.Frosting"));
        Assert.That(typeof(CakeHost).Assembly.GetExportedTypes().Select(type => type.Namespace).Distinct(), Is.EqualTo(new[] { "Cake.Frosting" }));
    }

    public static List<string> Render(Assembly assembly)
    {
        var lines = new List<string>();
        foreach (var type in assembly.GetExportedTypes().OrderBy(type => type.FullName, StringComparer.Ordinal))
        {
            var name = Name(type);
            lines.Add(TypeLine(type));
            if (type.GetCustomAttribute<AttributeUsageAttribute>(inherit: false) is { } usage && typeof(Attribute).IsAssignableFrom(type))
            {
                lines.Add($"{name} :: [AttributeUsage({usage.ValidOn}, AllowMultiple = {usage.AllowMultiple}, Inherited = {usage.Inherited})]");
            }
            const BindingFlags declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            foreach (var constructor in type.GetConstructors(declared).Where(Visible))
            {
                lines.Add($"{name} :: {Access(constructor)} ctor({Parameters(constructor)})");
            }
            foreach (var method in type.GetMethods(declared).Where(method => Visible(method) && !method.IsSpecialName))
            {
                lines.Add($"{name} :: {Access(method)}{Modifiers(method)} method {Name(method.ReturnType)} {method.Name}{GenericArguments(method)}({Parameters(method)}){Constraints(method.GetGenericArguments())}");
            }
            foreach (var property in type.GetProperties(declared))
            {
                var accessors = new[] { (Method: property.GetMethod, Word: "get;"), (Method: property.SetMethod, Word: "set;") }
                    .Where(accessor => accessor.Method is not null && Visible(accessor.Method)).ToList();
                if (accessors.Count == 0) continue;
                var first = accessors[0].Method!;
                lines.Add($"{name} :: {Access(first)}{Modifiers(first)} property {Name(property.PropertyType)} {property.Name} {{ {string.Join(" ", accessors.Select(accessor => accessor.Word))} }}");
            }
            foreach (var field in type.GetFields(declared).Where(field => field.IsPublic || field.IsFamily || field.IsFamilyOrAssembly))
            {
                lines.Add($"{name} :: field {Name(field.FieldType)} {field.Name}");
            }
            foreach (var @event in type.GetEvents(declared))
            {
                lines.Add($"{name} :: event {Name(@event.EventHandlerType!)} {@event.Name}");
            }
        }
        return lines;
    }

    private static string TypeLine(Type type)
    {
        string kind;
        if (type.IsInterface) kind = "interface";
        else if (type.IsEnum) kind = "enum";
        else if (type.IsValueType) kind = "struct";
        else if (type.IsAbstract && type.IsSealed) kind = "static class";
        else if (type.IsAbstract) kind = "abstract class";
        else if (type.IsSealed) kind = "sealed class";
        else kind = "class";

        var inherited = type.BaseType?.GetInterfaces() ?? [];
        var bases = new List<string>();
        if (type.BaseType is { } baseType) bases.Add(Name(baseType));
        bases.AddRange(type.GetInterfaces().Where(candidate => candidate.IsVisible && !inherited.Contains(candidate)).Select(Name).Order(StringComparer.Ordinal));
        return $"public {kind} {Name(type)}{(bases.Count > 0 ? " : " + string.Join(", ", bases) : "")}{Constraints(type.IsGenericTypeDefinition ? type.GetGenericArguments() : [])}";
    }

    private static bool Visible(MethodBase method) => method.IsPublic || method.IsFamily || method.IsFamilyOrAssembly;

    private static string Access(MethodBase method) => method.IsPublic ? "public" : "protected";

    private static string Modifiers(MethodInfo method)
    {
        if (method.IsStatic) return " static";
        if (method.IsAbstract) return " abstract";
        if (method.IsVirtual && !method.IsFinal)
        {
            return method.GetBaseDefinition().DeclaringType != method.DeclaringType ? " override" : " virtual";
        }
        if (method.IsVirtual && method.GetBaseDefinition().DeclaringType != method.DeclaringType) return " sealed override";
        return "";
    }

    private static string GenericArguments(MethodInfo method) =>
        method.IsGenericMethodDefinition ? $"<{string.Join(", ", method.GetGenericArguments().Select(argument => argument.Name))}>" : "";

    private static string Parameters(MethodBase method) =>
        string.Join(", ", method.GetParameters().Select((parameter, index) =>
            (index == 0 && method.IsDefined(typeof(ExtensionAttribute)) ? "this " : "")
            + (parameter.IsDefined(typeof(ParamArrayAttribute)) ? "params " : "")
            + (parameter.ParameterType.IsByRef ? (parameter.IsOut ? "out " : "ref ") : "")
            + $"{Name(parameter.ParameterType.IsByRef ? parameter.ParameterType.GetElementType()! : parameter.ParameterType)} {parameter.Name}"
            + (parameter.HasDefaultValue ? $" = {parameter.DefaultValue ?? "null"}" : "")));

    private static string Constraints(Type[] arguments)
    {
        var clauses = new List<string>();
        foreach (var argument in arguments)
        {
            var parts = new List<string>();
            var attributes = argument.GenericParameterAttributes;
            if (attributes.HasFlag(GenericParameterAttributes.ReferenceTypeConstraint)) parts.Add("class");
            if (attributes.HasFlag(GenericParameterAttributes.NotNullableValueTypeConstraint)) parts.Add("struct");
            parts.AddRange(argument.GetGenericParameterConstraints().Where(constraint => constraint != typeof(ValueType)).Select(Name));
            if (attributes.HasFlag(GenericParameterAttributes.DefaultConstructorConstraint) && !attributes.HasFlag(GenericParameterAttributes.NotNullableValueTypeConstraint)) parts.Add("new()");
            if (parts.Count > 0) clauses.Add($" where {argument.Name} : {string.Join(", ", parts)}");
        }
        return string.Concat(clauses);
    }

    private static readonly Dictionary<Type, string> Keywords = new()
    {
        [typeof(void)] = "void", [typeof(bool)] = "bool", [typeof(string)] = "string", [typeof(object)] = "object",
        [typeof(int)] = "int", [typeof(long)] = "long", [typeof(double)] = "double", [typeof(byte)] = "byte",
    };

    private static string Name(Type type)
    {
        if (Keywords.TryGetValue(type, out var keyword)) return keyword;
        if (type.IsGenericParameter) return type.Name;
        if (type.IsArray) return Name(type.GetElementType()!) + "[]";
        var name = type.Namespace == "Cake.Frosting" ? type.Name : $"{type.Namespace}.{type.Name}";
        if (!type.IsGenericType) return name;
        return $"{name[..name.IndexOf('`')]}<{string.Join(", ", type.GetGenericArguments().Select(Name))}>";
    }
}
