# The DNA Center notebook's challenge ("Change the call to request device statistics and
# display those", hint: "inclusions" : ["DEVICE-STATS"]) and bonus ("also display the version
# of code for the device"), as written out in the API contract §9.4.
# The harness also checks what the contract promises beyond the printed lines: every device
# element says deviceStatsCollection SUCCESS, host elements carry no statistics.

import sys

from login import login

dnac = login()

# challenge: ask for device statistics and display them
flowTask = dnac.flowanalysis.initiateFlowAnalysis(flowAnalysisRequest={
    "sourceIP": '10.10.22.114', "destIP": '10.10.22.98', "periodicRefresh": False,
    "inclusions": ["DEVICE-STATS"]})
taskStatus = dnac.task_util.wait_for_task_complete(flowTask, timeout=15, poll_frequency=5)
pathTrace = dnac.flowanalysis.getFullFlowAnalysisResult(flowAnalysisId=taskStatus.progress)

# (harness) statistics on every device, none on hosts
for device in pathTrace.response.networkElementsInfo:
    if device.name is None:
        if device.deviceStatistics is not None:
            sys.exit("a host element carries deviceStatistics: %s" % device)
    elif device.deviceStatsCollection != "SUCCESS" or device.deviceStatistics is None:
        sys.exit("device %s: deviceStatsCollection %r, no deviceStatistics"
                 % (device.name, device.deviceStatsCollection))

for device in pathTrace.response.networkElementsInfo:
    if device.name is not None:                      # hosts have no name and no statistics
        cpu = device.deviceStatistics.cpuStatistics
        mem = device.deviceStatistics.memoryStatistics
        # bonus: the software version, through the inventory, keyed by the element's id
        version = dnac.networkdevice.getNetworkDeviceById(id=device.id).response.softwareVersion
        print(device.name, cpu.fiveMinUsageInPercentage, mem.memoryUsage, mem.totalMemory, version)
