defmodule Shop.DatabaseUrl do
  @moduledoc """
  DATABASE_URL as Ecto reads it: `ecto://USER:PASS@HOST[:PORT]/DATABASE`, and libpq's
  `postgres://` and `postgresql://` spellings of the same thing.

  User and password are percent-decoded (a password holding `@`, `:` or `/` is written
  `%40`, `%3A`, `%2F`). An error names the variable and what is wrong with it, never the
  value: the URL carries the password.
  """

  @schemes ~w(ecto postgres postgresql)
  @default_port 5432
  @example "ecto://USER:PASS@HOST[:PORT]/DATABASE"

  @doc "The connection options in `url`: host, port, database, username and password."
  def parse!(url) when is_binary(url) do
    uri = URI.parse(url)

    with :ok <-
           check(uri.scheme in @schemes, "the scheme must be one of #{Enum.join(@schemes, ", ")}"),
         :ok <- check(present?(uri.host), "it names no host"),
         :ok <- check(present?(uri.userinfo), "it names no user"),
         :ok <- check(uri.query in [nil, ""], "query parameters (?...) are not supported"),
         {:ok, database} <- database(uri.path) do
      {username, password} = credentials(uri.userinfo)

      [
        host: uri.host,
        port: uri.port || @default_port,
        database: database,
        username: username,
        password: password
      ]
    else
      {:error, why} ->
        raise ArgumentError, "DATABASE_URL is not a database URL: #{why}; expected #{@example}"
    end
  end

  defp database("/" <> name) when name != "" do
    if String.contains?(name, "/"),
      do: {:error, "the path must be one database name"},
      else: {:ok, URI.decode(name)}
  end

  defp database(_path), do: {:error, "it names no database"}

  defp credentials(userinfo) do
    case String.split(userinfo, ":", parts: 2) do
      [user, password] -> {URI.decode(user), URI.decode(password)}
      [user] -> {URI.decode(user), nil}
    end
  end

  defp check(true, _why), do: :ok
  defp check(false, why), do: {:error, why}

  defp present?(value), do: value not in [nil, ""]
end
