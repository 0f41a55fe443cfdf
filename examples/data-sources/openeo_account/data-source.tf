data "openeo_account" "me" {}

output "openeo_user" {
  value = "${data.openeo_account.me.user_id} (plan ${coalesce(data.openeo_account.me.default_plan, "none")})"
}

output "openeo_storage_free_bytes" {
  value = try(data.openeo_account.me.storage.free, null)
}
