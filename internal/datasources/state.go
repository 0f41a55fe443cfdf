package datasources

import (
	"context"
	"fmt"
	"reflect"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// modelPlan is what setModel needs to know about a model type: the
// attribute name of each field and the state's Terraform type.
type modelPlan struct {
	fields []int
	names  []string
	typ    tftypes.Type
}

// modelPlans caches a modelPlan per model type (each model type is the
// state of one data source).
var modelPlans sync.Map // reflect.Type -> *modelPlan

// setModel stores m, a struct of attr.Value fields with tfsdk tags, as the
// whole state: tfsdk.State.Set(ctx, &m) without its per-call cost. State.Set
// reflects on the struct (checking each tag with a regular expression it
// compiles per field and call) and converts the schema to its Terraform type
// on every read; here both are done once per model type.
func setModel[M any](ctx context.Context, state *tfsdk.State, m *M) (diags diag.Diagnostics) {
	plan, err := planOf[M](ctx, state.Schema)
	if err != nil {
		diags.AddError("State Write Error", fmt.Sprintf("The provider cannot store its result: %v. Please report this issue to the provider developers.", err))
		return diags
	}
	rv := reflect.ValueOf(m).Elem()
	vals := make(map[string]tftypes.Value, len(plan.fields))
	for i, f := range plan.fields {
		av, ok := rv.Field(f).Interface().(attr.Value)
		if !ok {
			diags.AddError("State Write Error", fmt.Sprintf("The provider cannot store %q: the field is no attribute value. Please report this issue to the provider developers.", plan.names[i]))
			return diags
		}
		tv, err := av.ToTerraformValue(ctx)
		if err != nil {
			diags.AddError("State Write Error", fmt.Sprintf("The provider cannot store %q: %v. Please report this issue to the provider developers.", plan.names[i], err))
			return diags
		}
		vals[plan.names[i]] = tv
	}
	if err := tftypes.ValidateValue(plan.typ, vals); err != nil {
		diags.AddError("State Write Error", fmt.Sprintf("The provider cannot store its result: %v. Please report this issue to the provider developers.", err))
		return diags
	}
	state.Raw = tftypes.NewValue(plan.typ, vals)
	return diags
}

func planOf[M any](ctx context.Context, schema interface {
	Type() attr.Type
}) (*modelPlan, error) {
	t := reflect.TypeFor[M]()
	if p, ok := modelPlans.Load(t); ok {
		return p.(*modelPlan), nil //nolint:forcetypeassert // only *modelPlan is stored
	}
	p := &modelPlan{typ: schema.Type().TerraformType(ctx)}
	obj, ok := p.typ.(tftypes.Object)
	if !ok {
		return nil, fmt.Errorf("the schema type is %s, not an object", p.typ)
	}
	for i := range t.NumField() {
		name := t.Field(i).Tag.Get("tfsdk")
		if name == "" || name == "-" {
			continue
		}
		if _, ok := obj.AttributeTypes[name]; !ok {
			return nil, fmt.Errorf("the schema has no attribute %q", name)
		}
		p.fields = append(p.fields, i)
		p.names = append(p.names, name)
	}
	if len(p.names) != len(obj.AttributeTypes) {
		return nil, fmt.Errorf("the model has %d attributes, the schema %d", len(p.names), len(obj.AttributeTypes))
	}
	modelPlans.Store(t, p)
	return p, nil
}
