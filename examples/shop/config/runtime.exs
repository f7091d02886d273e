import Config

# Everything comes from the environment the node's bootstrap writes (release.env) and its
# unit adds; see docs/elixir-application.md, "The environment every node writes".
if config_env() == :prod do
  config :shop, :port, String.to_integer(System.fetch_env!("PORT"))
  config :shop, :health_check_path, System.fetch_env!("HEALTH_CHECK_PATH")

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
