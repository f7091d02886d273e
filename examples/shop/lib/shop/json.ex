defmodule Shop.Json do
  @moduledoc "Just enough JSON for maps of strings, atoms, integers and lists (OTP 25 has no json module)."

  def encode(map) when is_map(map) do
    pairs =
      Enum.map_join(map, ",", fn {key, value} ->
        encode(to_string(key)) <> ":" <> encode(value)
      end)

    "{" <> pairs <> "}"
  end

  def encode(list) when is_list(list), do: "[" <> Enum.map_join(list, ",", &encode/1) <> "]"
  def encode(integer) when is_integer(integer), do: Integer.to_string(integer)
  def encode(atom) when is_atom(atom), do: encode(Atom.to_string(atom))

  def encode(string) when is_binary(string) do
    escaped =
      for <<char <- string>>, into: "" do
        case char do
          ?" ->
            "\\\""

          ?\\ ->
            "\\\\"

          char when char < 0x20 ->
            "\\u" <> String.pad_leading(Integer.to_string(char, 16), 4, "0")

          char ->
            <<char>>
        end
      end

    "\"" <> escaped <> "\""
  end
end
