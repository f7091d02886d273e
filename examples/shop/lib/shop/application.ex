defmodule Shop.Application do
  @moduledoc """
  The supervision tree: the BEAM metrics, cluster discovery, the database connection, the
  HTTP endpoint last.

  Before anything starts, the release's secrets are kept out of every log
  (`Shop.LogRedaction`). On `System.stop/0` (bin/shop stop, or SIGTERM from the unit)
  children stop in reverse order, so the endpoint stops taking requests before the
  database connection and discovery go.
  """
  use Application

  @impl true
  def start(_type, _args) do
    Shop.LogRedaction.install(secrets())

    children = [
      {Shop.BeamMetrics, Application.get_env(:shop, :statsd)},
      {Shop.Cluster, Application.get_env(:shop, :discovery, :none)},
      {Shop.Repo, after_connect: {Shop.Orders, :migrate, []}},
      {Shop.Endpoint,
       port: Application.fetch_env!(:shop, :port),
       health_check_path: Application.fetch_env!(:shop, :health_check_path)}
    ]

    Supervisor.start_link(children, strategy: :one_for_one, name: Shop.Supervisor)
  end

  # The values no log may show: as configured, and as the environment gave them.
  defp secrets do
    [
      Application.get_env(:shop, Shop.Repo, [])[:password],
      Application.get_env(:shop, :secret_key_base),
      System.get_env("DATABASE_URL"),
      System.get_env("SECRET_KEY_BASE"),
      System.get_env("RELEASE_COOKIE")
    ]
  end
end
