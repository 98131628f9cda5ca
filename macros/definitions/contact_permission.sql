{#- Who may be contacted, and for what (fct_audience_members). Marketing needs consent: the
    customers table's accepts_marketing; an unknown value (no customer record, or a blank) counts
    as no unless var marketing_consent_when_unknown is true. Service contact (about an order or an
    account, no offer) needs no marketing consent; an action whose purpose is none is not contacted.
    Contact needs an email address or a phone number. -#}
{% macro has_marketing_consent(accepts_marketing) -%}
    coalesce({{ accepts_marketing }}, {{ 'true' if var('marketing_consent_when_unknown') else 'false' }})
{%- endmacro %}

{#- Why a customer is left out of an audience of this purpose, or 'included'; the first reason
    that applies, in this order: the action is no contact, no consent for marketing, no address. -#}
{% macro audience_status(purpose, has_consent, has_contact_details) -%}
    case
        when {{ purpose }} = 'none' then 'not_contacted'
        when {{ purpose }} = 'marketing' and not {{ has_consent }} then 'no_marketing_consent'
        when not {{ has_contact_details }} then 'no_contact_details'
        else 'included'
    end
{%- endmacro %}
