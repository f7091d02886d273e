import Config

# Everything comes from the environment the node gives the release: the bootstrap's
# release.env, the stack's release.environment and release.secrets, and what the unit adds;
# see docs/elixir-application.md, "The environment every node writes". Like the runtime.exs
# `mix phx.new` generates, it refuses to boot in prod without SECRET_KEY_BASE and DATABASE_URL.
config :shop, :health_check_path, System.get_env("HEALTH_CHECK_PATH", "/health")

if config_env() == :prod do
  database_url =
    System.get_env("DATABASE_URL") ||
      raise """
      environment variable DATABASE_URL is missing.
      For example: ecto://USER:PASS@HOST/DATABASE
      """

  config :shop, Shop.Repo, Shop.DatabaseUrl.parse!(database_url)

  # The secret key base is used to sign/encrypt cookies and other secrets (here: the
  # receipts of orders). It comes from the environment, never from version control.
  secret_key_base =
    System.get_env("SECRET_KEY_BASE") ||
      raise """
      environment variable SECRET_KEY_BASE is missing.
      You can generate one by calling: mix phx.gen.secret
      """

  config :shop, :secret_key_base, secret_key_base
  config :shop, :url_host, System.get_env("PHX_HOST") || "example.com"
  config :shop, :port, String.to_integer(System.fetch_env!("PORT"))

  # The CloudWatch agent's StatsD listener, as the bootstrap writes it; without it (a node
  # not built by the stack) the release runs and publishes no BEAM metrics.
  with host when is_binary(host) <- System.get_env("STATSD_HOST"),
       port when is_binary(port) <- System.get_env("STATSD_PORT") do
    port =
      case Integer.parse(port) do
        {number, ""} when number in 1..65_535 ->
          number

        _ ->
          raise """
          environment variable STATSD_PORT must be a UDP port (1-65535), got: #{inspect(port)}.
          The bootstrap writes the CloudWatch agent's StatsD listener port there.
          """
      end

    # BEAM_METRICS_INTERVAL_MS: how often the release samples (10 s, the agent's collection
    # interval, unless set). The autoscale lab sets it when it compresses time, so that one
    # sample still falls in each of the agent's compressed collections.
    interval_ms =
      case Integer.parse(System.get_env("BEAM_METRICS_INTERVAL_MS", "10000")) do
        {number, ""} when number in 100..60_000 ->
          number

        _ ->
          raise """
          environment variable BEAM_METRICS_INTERVAL_MS must be milliseconds from 100 to 60000,
          got: #{inspect(System.get_env("BEAM_METRICS_INTERVAL_MS"))}.
          """
      end

    config :shop, :statsd, host: host, port: port, interval_ms: interval_ms
  end

  case System.fetch_env!("CLUSTER_DISCOVERY") do
    "dns" ->
      config :shop, :discovery, {:dns, System.fetch_env!("DNS_CLUSTER_QUERY")}

    "ec2Tags" ->
      config :shop,
             :discovery,
             {:ec2_tags,
              %{
                tag_name: System.fetch_env!("CLUSTER_EC2_TAG_NAME"),
                tag_value: System.fetch_env!("CLUSTER_EC2_TAG_VALUE"),
                app_prefix: System.fetch_env!("CLUSTER_APP_PREFIX"),
                region: System.fetch_env!("AWS_REGION")
              }}
  end
end
