using LibGit2Sharp;

namespace Pipeline.Tests.Support;

/// <summary>A real git repository in a temporary folder, deleted on dispose.</summary>
public sealed class TempGitRepository : IDisposable
{
    private static readonly Signature Author = new("Test", "test@example.com", DateTimeOffset.Parse("2026-11-26T07:00:00Z"));

    public TempGitRepository(bool init = true)
    {
        Root = Directory.CreateTempSubdirectory("pipeline-test-").FullName;
        if (init) Repository.Init(Root);
    }

    public string Root { get; }

    /// <summary>
    /// A repository whose one commit has a pyproject.toml of this version (what ReadVersion needs)
    /// and the test key's public half as cosign.pub (what a deploy verifies with).
    /// </summary>
    public static TempGitRepository OfVersion(string version)
    {
        var repository = new TempGitRepository();
        repository.Write("pyproject.toml", $"[project]\nversion = \"{version}\"\n");
        repository.CopyPublicKey();
        repository.Commit();
        return repository;
    }

    /// <summary>This repository's manifests/, copied and committed: what Rollout renders. Returns the commit.</summary>
    public string CommitTheManifests()
    {
        foreach (var manifest in Directory.GetFiles(Path.Combine(RepositoryRoot.Path, "manifests")))
        {
            Write(Path.Combine("manifests", Path.GetFileName(manifest)), File.ReadAllText(manifest));
        }
        return Commit("manifests");
    }

    /// <summary>The test key's public half as cosign.pub (not committed yet).</summary>
    public string CopyPublicKey() => Write("cosign.pub", File.ReadAllText(TestKeys.PublicKeyFile));

    public string Write(string relativePath, string content)
    {
        var path = Path.Combine(Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    public string Commit(string message = "change")
    {
        using var repository = new Repository(Root);
        Commands.Stage(repository, "*");
        return repository.Commit(message, Author, Author, new CommitOptions { AllowEmptyCommit = true }).Sha;
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
