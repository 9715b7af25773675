using LibGit2Sharp;

namespace Pipeline.Tests.Support;

/// <summary>A real git repository holding a copy of this repository's application and Dockerfile.</summary>
public sealed class AppRepository : IDisposable
{
    private static readonly string[] Copied = ["Dockerfile", ".dockerignore", ".gitignore", "pyproject.toml", "src", "manifests", "infra/nginx-dev.conf"];
    private readonly TempGitRepository _repository = new();

    /// <summary>The application as committed; with another <paramref name="nodePort"/>, its Service's NodePort is that one (tests running Promote side by side).</summary>
    public AppRepository(int nodePort = PromoteRun.DefaultNodePort)
    {
        foreach (var name in Copied)
        {
            var source = System.IO.Path.Combine(RepositoryRoot.Path, name);
            var target = System.IO.Path.Combine(Root, name);
            if (Directory.Exists(source)) TestFiles.CopyDirectory(source, target, "__pycache__");
            else
            {
                Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
                File.Copy(source, target);
            }
        }
        if (nodePort != PromoteRun.DefaultNodePort)
        {
            var service = System.IO.Path.Combine(Root, "manifests", "service.yaml");
            File.WriteAllText(service, File.ReadAllText(service).Replace($"nodePort: {PromoteRun.DefaultNodePort}", $"nodePort: {nodePort}"));
        }
        // The committed public key every deploy verifies with (the test key; see tests/keys).
        File.Copy(TestKeys.PublicKeyFile, System.IO.Path.Combine(Root, "cosign.pub"));
        Sha = _repository.Commit("the application");
    }

    public string Root => _repository.Root;

    public string Sha { get; private set; }

    public string ShortSha => Sha[..7];

    /// <summary>Removes a file of the application, committed.</summary>
    public string Remove(string relativePath)
    {
        File.Delete(System.IO.Path.Combine(Root, relativePath));
        return Sha = _repository.Commit($"remove {relativePath}");
    }

    public string Commit(string relativePath, string content)
    {
        _repository.Write(relativePath, content);
        return Sha = _repository.Commit($"change {relativePath}");
    }

    public string Read(string relativePath) => File.ReadAllText(System.IO.Path.Combine(Root, relativePath));

    /// <summary>Creates a branch at HEAD and checks it out.</summary>
    public void StartBranch(string name)
    {
        using var repository = new Repository(Root);
        Commands.Checkout(repository, repository.CreateBranch(name));
    }

    public void Checkout(string name)
    {
        using var repository = new Repository(Root);
        Commands.Checkout(repository, repository.Branches[name]);
        Sha = repository.Head.Tip.Sha;
    }

    /// <summary>Merges a branch into the current one with a merge commit, as a merged pull request does.</summary>
    public string MergeWithCommit(string branch)
    {
        using var repository = new Repository(Root);
        var signature = new Signature("Test", "test@example.com", DateTimeOffset.Parse("2026-11-26T08:00:00Z"));
        var result = repository.Merge(repository.Branches[branch], signature, new MergeOptions { FastForwardStrategy = FastForwardStrategy.NoFastForward });
        return Sha = result.Commit.Sha;
    }

    public string CurrentBranch
    {
        get
        {
            using var repository = new Repository(Root);
            return repository.Head.FriendlyName;
        }
    }

    public void Dispose() => _repository.Dispose();
}
