# The DNA Center notebook's bonus ("also display the version of code for the device"), on its
# own: the challenge's request (contract §9.4, "inclusions": ["DEVICE-STATS"]), then for every
# device on the path GET /api/v1/network-device/{device.id} -> softwareVersion. It must pass
# whether or not the server fills deviceStatistics yet (challenge.py checks those).

from login import login

dnac = login()

flowTask = dnac.flowanalysis.initiateFlowAnalysis(flowAnalysisRequest={
    "sourceIP": '10.10.22.114', "destIP": '10.10.22.98', "periodicRefresh": False,
    "inclusions": ["DEVICE-STATS"]})
taskStatus = dnac.task_util.wait_for_task_complete(flowTask, timeout=15, poll_frequency=5)
pathTrace = dnac.flowanalysis.getFullFlowAnalysisResult(flowAnalysisId=taskStatus.progress)

for device in pathTrace.response.networkElementsInfo:
    if device.name is not None:                      # hosts have no name
        inventory = dnac.networkdevice.getNetworkDeviceById(id=device.id).response
        version = inventory.softwareVersion
        print(device.name, device.ip, version)
        # the element's id is the network-device id of that very device
        assert inventory.id == device.id, (inventory.id, device.id)
        assert inventory.hostname == device.name, (inventory.hostname, device.name)
        assert inventory.managementIpAddress == device.ip, (inventory.managementIpAddress, device.ip)
