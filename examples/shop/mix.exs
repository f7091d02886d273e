defmodule Shop.MixProject do
  @moduledoc "The example release the stack boots: no Hex dependencies, OTP's inets for HTTP, Debian's p1_pgsql for PostgreSQL."
  use Mix.Project

  def project do
    [
      app: :shop,
      # SHOP_VERSION: the node lab builds the same source as two versions to roll one out over the other.
      version: System.get_env("SHOP_VERSION", "1.4.2"),
      elixir: "~> 1.14",
      start_permanent: Mix.env() == :prod,
      deps: [],
      releases: [
        # What docs/elixir-application.md asks of a release: bin/shop, and a tarball whose
        # top level is the release root (bin/, lib/, releases/, erts-*/).
        shop: [
          include_executables_for: [:unix],
          include_erts: true,
          steps: [:assemble, &cookie_off_command_line/1, :tar]
        ]
      ]
    ]
  end

  # A mix release passes RELEASE_COOKIE to the BEAM as `-setcookie` (start, and the rpc
  # behind stop, remote and eval), on a command line every local user can read in /proc.
  # Drop it there: rel/env.sh.eex hands the cookie over in a file only the release user can
  # read. The build fails if the script no longer passes the cookie the way this expects.
  @cookie_argument ~s(--cookie "$RELEASE_COOKIE" )

  def cookie_off_command_line(release) do
    script = Path.join([release.path, "bin", Atom.to_string(release.name)])
    text = File.read!(script)

    unless String.contains?(text, @cookie_argument) do
      Mix.raise(
        "#{script} does not pass #{@cookie_argument}as expected; check the Elixir version"
      )
    end

    File.write!(script, String.replace(text, @cookie_argument, ""))
    release
  end

  def application do
    [
      mod: {Shop.Application, []},
      # inets: HTTP; crypto: the receipts; runtime_tools: :scheduler.utilization for BEAM
      # metrics; p1_pgsql: Debian's erlang-p1-pgsql, copied into the release from the OTP
      # lib dir it is installed in, as Hex (and so Postgrex) is out of reach.
      extra_applications: [:logger, :inets, :crypto, :runtime_tools, :p1_pgsql]
    ]
  end
end
