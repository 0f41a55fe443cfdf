package main
import (
 _ "github.com/hashicorp/terraform-plugin-framework/provider"
 _ "github.com/hashicorp/terraform-plugin-framework/providerserver"
 _ "github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
 _ "github.com/hashicorp/terraform-plugin-testing/helper/resource"
 _ "github.com/hashicorp/terraform-plugin-testing/echoprovider"
 _ "github.com/hashicorp/terraform-plugin-go/tfprotov6"
 _ "github.com/hashicorp/terraform-plugin-log/tflog"
 _ "golang.org/x/oauth2"
 _ "golang.org/x/sync/singleflight"
 _ "golang.org/x/term"
 _ "github.com/gofrs/flock"
)
func main(){}
