"""A licensing script as an admin writes one, with Microsoft's own Graph SDK (msgraph-sdk),
pointed at `licensedesk serve` instead of graph.microsoft.com.

Usage: licensing_script.py BASE_URL TOKEN
Prints one line per step ("ok <step> <detail>"); exits non-zero at the first step that fails.
"""
import asyncio
import sys
import time

from kiota_abstractions.authentication import AccessTokenProvider, AllowedHostsValidator, BaseBearerTokenAuthenticationProvider
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph.generated.models.assigned_license import AssignedLicense
from msgraph.generated.users.item.assign_license.assign_license_post_request_body import AssignLicensePostRequestBody
from msgraph.generated.groups.item.assign_license.assign_license_post_request_body import AssignLicensePostRequestBody as GroupAssignBody
from msgraph.generated.users.users_request_builder import UsersRequestBuilder
from msgraph.generated.users.item.user_item_request_builder import UserItemRequestBuilder
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph_core.tasks.page_iterator import PageIterator

BASE, TOKEN = sys.argv[1], sys.argv[2]
E3 = "6fd2c87f-b296-42f0-b197-1e91e994b900"
EMS = "efccb6f7-5641-4e0e-bd10-b4976e1bf68e"
E3_ALL = sys.argv[3] if len(sys.argv) > 3 else ""


class ServeToken(AccessTokenProvider):
    """The token `serve` printed, for every request to it."""

    async def get_authorization_token(self, uri, additional_authentication_context=None):
        return TOKEN

    def get_allowed_hosts_validator(self):
        return AllowedHostsValidator([])


def client():
    adapter = GraphRequestAdapter(BaseBearerTokenAuthenticationProvider(ServeToken()))
    adapter.base_url = BASE + "/v1.0"
    return GraphServiceClient(request_adapter=adapter)


def ok(step, detail=""):
    print(f"ok {step} {detail}", flush=True)


async def main():
    graph = client()

    # Every user, 10 a page, by $select, following @odata.nextLink with the SDK's PageIterator.
    query = UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(select=["id", "userPrincipalName", "assignedLicenses"], top=10)
    first = await graph.users.get(request_configuration=RequestConfiguration(query_parameters=query))
    seen = []
    iterator = PageIterator(first, graph.request_adapter)
    await iterator.iterate(lambda user: seen.append(user.user_principal_name) or True)
    assert len(seen) == 44 and len(set(seen)) == 44, seen
    ok("paged", len(seen))

    # One user by UPN, with licensing properties selected.
    select = UserItemRequestBuilder.UserItemRequestBuilderGetQueryParameters(select=["id", "licenseAssignmentStates", "assignedLicenses"])
    adele = await graph.users.by_user_id("adele.vance@contoso.com").get(request_configuration=RequestConfiguration(query_parameters=select))
    assert adele.license_assignment_states, "no licenseAssignmentStates"
    ok("states", len(adele.license_assignment_states))

    # A direct EMS licence with its first plan disabled.
    skus = await graph.subscribed_skus.get()
    ems = next(s for s in skus.value if str(s.sku_id) == EMS)
    plan = ems.service_plans[0].service_plan_id
    body = AssignLicensePostRequestBody(add_licenses=[AssignedLicense(sku_id=EMS, disabled_plans=[plan])], remove_licenses=[])
    after = await graph.users.by_user_id("adele.vance@contoso.com").assign_license.post(body)
    assert after.user_principal_name == "adele.vance@contoso.com"
    ok("assigned", f"disabled {plan}")

    # Leaving removeLicenses out (the SDK omits None) is refused as Graph refuses it.
    try:
        await graph.users.by_user_id("alex.wilber@contoso.com").assign_license.post(AssignLicensePostRequestBody(add_licenses=[AssignedLicense(sku_id=EMS)]))
        raise AssertionError("assignLicense without removeLicenses was taken")
    except AssertionError:
        raise
    except Exception as error:  # the SDK's ODataError
        assert "removeLicenses" in str(getattr(error, "error", error).message if getattr(error, "error", None) else error), error
        ok("refused", "missing removeLicenses")

    # EMS on the E3 All group: 202; the server processes it by itself; more members than seats.
    await graph.groups.by_group_id(E3_ALL).assign_license.post(GroupAssignBody(add_licenses=[AssignedLicense(sku_id=EMS, disabled_plans=[])], remove_licenses=[]))
    errored = []
    for _ in range(100):
        page = await graph.groups.by_group_id(E3_ALL).members_with_license_errors.get()
        errored = page.value or []
        if errored:
            break
        time.sleep(0.2)
    assert errored, "no member got CountViolation"
    first_errored = errored[0].id
    ok("countViolation", len(errored))

    # Reprocess one of them.
    await graph.users.by_user_id(first_errored).reprocess_license_assignment.post()
    ok("reprocessed", first_errored)


asyncio.run(main())
