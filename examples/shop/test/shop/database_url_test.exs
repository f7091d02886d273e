defmodule Shop.DatabaseUrlTest do
  use ExUnit.Case, async: true

  alias Shop.DatabaseUrl

  test "reads Ecto's form, percent-decoding the credentials" do
    assert DatabaseUrl.parse!("ecto://shop:p%40ss%3Aw%2Frd@db.internal:6432/shop_prod") == [
             host: "db.internal",
             port: 6432,
             database: "shop_prod",
             username: "shop",
             password: "p@ss:w/rd"
           ]
  end

  test "reads libpq's postgres:// and postgresql://, port 5432 when none is given" do
    for scheme <- ~w(postgres postgresql) do
      assert DatabaseUrl.parse!("#{scheme}://app:secret@10.0.0.5/orders")[:port] == 5432
    end
  end

  test "a user without a password is a user without a password" do
    assert DatabaseUrl.parse!("ecto://app@db/shop")[:password] == nil
  end

  for {url, why} <- [
        {"mysql://shop:hunter22@db/shop", "the scheme must be one of ecto, postgres, postgresql"},
        {"ecto://shop:hunter22@db", "it names no database"},
        {"ecto://shop:hunter22@db/", "it names no database"},
        {"ecto://shop:hunter22@db/a/b", "the path must be one database name"},
        {"ecto://db/shop", "it names no user"},
        {"ecto://shop:hunter22@db/shop?ssl=true", "query parameters"},
        {"hunter22", "the scheme must be one of"}
      ] do
    test "refuses #{why}, naming the variable and never the password (#{url})" do
      error = assert_raise ArgumentError, fn -> DatabaseUrl.parse!(unquote(url)) end
      assert error.message =~ "DATABASE_URL is not a database URL: #{unquote(why)}"
      refute error.message =~ "hunter22"
    end
  end
end
