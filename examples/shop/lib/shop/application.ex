defmodule Shop.Application do
  @moduledoc """
  The supervision tree: cluster discovery first, the HTTP endpoint last.

  On `System.stop/0` (bin/shop stop, or SIGTERM from the unit) children stop in reverse
  order, so the endpoint stops taking requests before anything it depends on goes.
  """
  use Application

  @impl true
  def start(_type, _args) do
    children = [
      {Shop.Cluster, Application.get_env(:shop, :discovery, :none)},
      {Shop.Endpoint,
       port: Application.fetch_env!(:shop, :port),
       health_check_path: Application.fetch_env!(:shop, :health_check_path)}
    ]

    Supervisor.start_link(children, strategy: :one_for_one, name: Shop.Supervisor)
  end
end
