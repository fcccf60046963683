# The code cells of the DNA Center notebook, verbatim and in order
# (shared/seeds/dnac-async-pathtrace.txt). Its printed output is compared with expected.txt.
# The notebook's challenge and bonus are prose; they are written out in challenge.py and bonus.py.

# In [1]:
from login import login
import json
dnac = login()

# In [2]:
flowTask = dnac.flowanalysis.initiateFlowAnalysis(flowAnalysisRequest={"sourceIP": '10.10.22.114',
                                                                           "destIP" : '10.10.22.98',
                                                                           "periodicRefresh" : False})

# In [3]:
print (json.dumps(dnac.serialize(flowTask), indent=4))

# In [5]:
# extrace the taskId
taskId = flowTask.response.taskId

# wait_for_task_complete is a utility function that polls APIC-EM until the task is completed.  
# You can provide an optional timeout and polling interval
taskStatus = dnac.task_util.wait_for_task_complete(flowTask, timeout=15, poll_frequency=5)

print(json.dumps(dnac.serialize(taskStatus), indent=4))

# In [6]:
# this is the id of the pathtrace result that we need to GET.
flowId = taskStatus.progress

# this will get the pathTrace
pathTrace = dnac.flowanalysis.getFullFlowAnalysisResult(flowAnalysisId=flowId)

print (json.dumps(dnac.serialize(pathTrace.response),indent=4))

# In [7]:
for device in pathTrace.response.networkElementsInfo:
    print("{name}: {ip}\n".format(name=device.name, ip=device.ip))
