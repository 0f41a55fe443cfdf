data "openeo_account" "me" {}

output "openeo_user_id" {
  value = data.openeo_account.me.user_id
}

output "openeo_budget" {
  value = data.openeo_account.me.budget
}
